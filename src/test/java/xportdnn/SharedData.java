package xportdnn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the real models, data and reference outputs in {@code ../shared} (beside the repository; CI has it).
 * Tests that need them call {@link #require(String)} and are skipped with a clear message when it is absent.
 * The property {@code xportdnn.shared} overrides the location.
 */
public final class SharedData {

    private SharedData() {
    }

    public static Path root() {
        return Path.of(System.getProperty("xportdnn.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** The file or folder at {@code relative} under the shared root; skips the calling test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), () -> "skipped: " + p + " is absent (the shared models/data live in ../shared)");
        return p;
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
