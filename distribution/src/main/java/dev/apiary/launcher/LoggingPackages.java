package dev.apiary.launcher;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Constants;

/**
 * The SLF4J API as the system bundle exports it: bundles log through the SLF4J on the class path
 * Felix was loaded from (lib/ of the distribution, the embedding program's otherwise), with
 * whichever provider that class path has. As bundles, SLF4J 2 would need a service loader
 * mediator (Aries SPI Fly and ASM) to find its provider: half a second of every start.
 */
final class LoggingPackages {

    /** The packages of slf4j-api that bundles import. */
    static final List<String> PACKAGES = List.of("org.slf4j", "org.slf4j.event", "org.slf4j.helpers", "org.slf4j.spi");

    private LoggingPackages() {
    }

    /**
     * The value for {@link Constants#FRAMEWORK_SYSTEMPACKAGES_EXTRA}: each of {@link #PACKAGES} at
     * the version of the slf4j-api jar the framework's class loader sees.
     *
     * @throws ApiaryException when that class loader has no SLF4J 2
     */
    static String systemPackagesExtra() throws ApiaryException {
        return exports(versionOn(FrameworkFactory.class.getClassLoader()));
    }

    static String exports(String version) {
        return PACKAGES.stream().map(p -> p + ";version=\"" + version + "\"").collect(Collectors.joining(","));
    }

    /** The version of SLF4J's API on {@code loader}: its jar's Implementation-Version. */
    static String versionOn(ClassLoader loader) throws ApiaryException {
        Class<?> factory;
        try {
            factory = Class.forName("org.slf4j.LoggerFactory", false, loader);
        } catch (ClassNotFoundException e) {
            throw new ApiaryException("SLF4J (slf4j-api 2.x) is not on the class path beside Felix: Apiary's bundles log through it", e);
        }
        String version = factory.getPackage().getImplementationVersion();
        if (version == null || !version.matches("2\\.\\d+\\.\\d+.*")) {
            throw new ApiaryException("the SLF4J beside Felix is " + (version == null ? "of an unknown version" : version)
                    + ", Apiary's bundles need slf4j-api 2.x");
        }
        return version.replaceFirst("^(\\d+\\.\\d+\\.\\d+).*", "$1");
    }
}
