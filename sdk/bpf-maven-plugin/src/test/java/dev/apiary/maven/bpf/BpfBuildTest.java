package dev.apiary.maven.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BPF build on this machine's real toolchain, and its messages when a piece is missing. */
class BpfBuildTest {

    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");

    @TempDir
    Path dir;

    @Test
    void missingToolsAreNamedInOneLineWithWhatToInstall() {
        ToolchainException clang = assertThrows(ToolchainException.class,
                () -> BpfToolchain.discover("/nonexistent/clang-19", null, null, BTF));
        assertEquals("clang '/nonexistent/clang-19' (from apiary.bpf.clang) not found", clang.getMessage());

        ToolchainException bpftool = assertThrows(ToolchainException.class,
                () -> BpfToolchain.discover(null, null, "no-such-bpftool", BTF));
        assertTrue(bpftool.getMessage().startsWith("bpftool not found: install it"), bpftool.getMessage());

        ToolchainException btf = assertThrows(ToolchainException.class,
                () -> BpfToolchain.discover(null, null, null, dir.resolve("vmlinux")));
        assertTrue(btf.getMessage().contains("CONFIG_DEBUG_INFO_BTF=y"), btf.getMessage());

        for (ToolchainException e : List.of(clang, bpftool, btf)) {
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void compilesWithBtfKeptAndDebugInfoStrippedAndSkipsWhatIsUpToDate() throws Exception {
        BpfToolchain tools = BpfToolchain.discover(null, null, null, BTF);
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("hello.bpf.c"), """
                #include "apiary/apiary.h"
                char LICENSE[] SEC("license") = "GPL";
                struct hello_event { struct apiary_event_header hdr; __u32 value; };
                APIARY_EVENT_TYPE(hello_event);
                SEC("tracepoint/syscalls/sys_enter_getpid")
                int hello(void *ctx)
                {
                        struct hello_event *e = apiary_reserve(struct hello_event);
                        if (!e)
                                return 0;
                        apiary_fill_header(&e->hdr, 1);
                        e->value = 42;
                        apiary_submit(e);
                        return 0;
                }
                """);
        List<String> warnings = new ArrayList<>();
        BpfCompiler compiler = new BpfCompiler(tools, dir.resolve("include"), List.of(), List.of(), warnings::add);
        compiler.prepareIncludes();
        assertTrue(Files.size(dir.resolve("include/vmlinux.h")) > 100_000);
        assertTrue(Files.exists(dir.resolve("include/apiary/event.h")));

        Path out = dir.resolve("classes/bpf");
        assertEquals(List.of(out.resolve("hello.bpf.o")), compiler.compileAll(src, out));
        String elf = new String(Files.readAllBytes(out.resolve("hello.bpf.o")), StandardCharsets.ISO_8859_1);
        assertTrue(elf.contains(".BTF.ext") && elf.contains("hello_event"), "BTF kept, with the event type");
        assertFalse(elf.contains(".debug_info"), "DWARF stripped");
        assertEquals(List.of(), warnings);

        assertEquals(List.of(), compiler.compileAll(src, out), "up to date: not rebuilt");
    }

    @Test
    void aCompileErrorFailsWithClangsMessage() throws Exception {
        BpfToolchain tools = BpfToolchain.discover(null, null, null, BTF);
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("broken.bpf.c"), "int broken(void) { return undeclared_thing; }\n");
        BpfCompiler compiler = new BpfCompiler(tools, dir.resolve("include"), List.of(), List.of(), w -> { });
        compiler.prepareIncludes();
        BpfCompiler.BuildException e = assertThrows(BpfCompiler.BuildException.class,
                () -> compiler.compileAll(src, dir.resolve("out")));
        assertTrue(e.getMessage().startsWith("clang failed to compile broken.bpf.c"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_thing"), e.getMessage());
    }
}
