package xportdnn;

import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Locates the real models, data and reference outputs in {@code ../shared} (beside the repository; CI has it).
 * Tests that need them call {@link #require(String)}. When a path is absent the test is skipped with a clear
 * message on a developer machine, but fails on CI (environment variable {@code CI=true}, or the system property
 * {@code xportdnn.requireShared=true}): there a missing {@code ../shared} must not turn every real-model test into
 * a silent skip. The property {@code xportdnn.shared} overrides the location.
 */
public final class SharedData {

    /** The system property that makes a missing path fail the test as on CI. */
    static final String REQUIRE_PROPERTY = "xportdnn.requireShared";

    private SharedData() {
    }

    public static Path root() {
        return Path.of(System.getProperty("xportdnn.shared", "../shared")).toAbsolutePath().normalize();
    }

    /**
     * The file or folder at {@code relative} under the shared root. When it is missing, fails the calling test on
     * CI and skips it elsewhere (see the class comment).
     */
    public static Path require(String relative) {
        return require(root().resolve(relative), System.getenv("CI"), System.getProperty(REQUIRE_PROPERTY));
    }

    /**
     * The decision behind {@link #require(String)}, with the environment variable {@code CI} and the property
     * {@value #REQUIRE_PROPERTY} passed in (null when unset): {@code path} when it exists; otherwise an
     * {@link AssertionFailedError} when either is {@code true} (ignoring case), else a {@link TestAbortedException}
     * (JUnit's skip).
     */
    static Path require(Path path, String ciVariable, String requireProperty) {
        if (Files.exists(path)) {
            return path;
        }
        if ("true".equalsIgnoreCase(ciVariable) || "true".equalsIgnoreCase(requireProperty)) {
            throw new AssertionFailedError(path + " is absent: CI needs the shared models/data in ../shared (or "
                    + "-Dxportdnn.shared=DIR); this test fails instead of skipping because "
                    + ("true".equalsIgnoreCase(ciVariable) ? "CI=true" : "-D" + REQUIRE_PROPERTY + "=true"));
        }
        throw new TestAbortedException("skipped: " + path + " is absent (the shared models/data live in ../shared)");
    }

    /** The six real models: folder name, deploy prototxt and caffemodel under {@code models/}. */
    public enum Model {
        LENET("lenet_mnist", "lenet.prototxt", "lenet_iter_10000.caffemodel"),
        CIFAR10_QUICK("cifar10_quick", "cifar10_quick.prototxt", "cifar10_quick_iter_5000.caffemodel"),
        CIFAR10_FULL("cifar10_full", "cifar10_full.prototxt", "cifar10_full_iter_70000.caffemodel"),
        RESNET20("resnet20_cifar10", "res20_deploy.derived.prototxt", "cifar10_res20_iter_64000.caffemodel"),
        SQUEEZENET("squeezenet_v1.0", "SqueezeNet_deploy.prototxt", "squeezenet_v1.0.caffemodel"),
        YUFACE("yufacedetectnet_v1", "yufacedetectnet-open-v1.prototxt", "yufacedetectnet-open-v1.caffemodel");

        public final String folder;
        private final String prototxt;
        private final String caffemodel;

        Model(String folder, String prototxt, String caffemodel) {
            this.folder = folder;
            this.prototxt = prototxt;
            this.caffemodel = caffemodel;
        }

        public Path prototxt() {
            return require("models/" + folder + "/" + prototxt);
        }

        public Path caffemodel() {
            return require("models/" + folder + "/" + caffemodel);
        }

        /** {@code reference/<folder>/<file>}. */
        public Path reference(String file) {
            return require("reference/" + folder + "/" + file);
        }
    }
}
