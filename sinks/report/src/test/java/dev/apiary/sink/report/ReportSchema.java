package dev.apiary.sink.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** docs/reports.schema.json, the one users get, as a validator (networknt, draft 2020-12). */
final class ReportSchema {

    static final Path FILE = Path.of(System.getProperty("apiary.docs", "../../docs")).resolve("reports.schema.json");
    private static final Schema SCHEMA = load();

    private ReportSchema() {
    }

    private static Schema load() {
        try (InputStream in = Files.newInputStream(FILE)) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE.toAbsolutePath(), e);
        }
    }

    /** What in {@code report} the schema refuses, one line each; empty when it is valid. */
    static List<String> problems(JsonNode report) {
        return SCHEMA.validate(report).stream().map(Object::toString).toList();
    }
}
