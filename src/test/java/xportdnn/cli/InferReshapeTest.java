package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.SharedData;
import xportdnn.model.Blob;
import xportdnn.model.Npy;

/**
 * The SSD-style face detector, declared for 320x240, run on test2.jpg at its own 550x375: the net is reshaped,
 * and every face OpenCV finds at 320x240 (../shared/reference, confidence above 0.5) is found again (boxes are
 * normalised to the image, so they compare across sizes).
 */
class InferReshapeTest {

    @Test
    void faceDetectorRunsAtTheImagesOwnSize(@TempDir Path dir) throws IOException {
        SharedData.Model model = SharedData.Model.YUFACE;
        Path image = SharedData.require("data/faces/test2.jpg");
        Path output = dir.resolve("det.npy");
        CliRun run = CliRun.of("infer", "--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--image", image.toString(), "--dims", "3,375,550", "--mean_value",
                "104,117,123", "--output", output.toString());
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("note: input 'data' is 375x550 (height x width), the prototxt's 240x320: "
                + "the net is reshaped"), run.stderr());
        Blob detections = Npy.read(output);
        List<float[]> ours = new ArrayList<>();
        for (int r = 0; r < detections.count() / 7; r++) {
            float[] row = Arrays.copyOfRange(detections.data(), 7 * r, 7 * r + 7);
            if (row[2] > 0.3f) {
                ours.add(new float[] {row[3], row[4], row[5], row[6]});
            }
        }
        int references = 0;
        for (String line : Files.readAllLines(model.reference("predictions.tsv"))) {
            String[] f = line.split("\t");
            if (!f[0].equals("test2.jpg") || Double.parseDouble(f[3]) <= 0.5) {
                continue;
            }
            references++;
            float[] box = {Float.parseFloat(f[4]), Float.parseFloat(f[5]), Float.parseFloat(f[6]), Float.parseFloat(f[7])};
            assertTrue(ours.stream().anyMatch(b -> iou(b, box) > 0.5), "no detection of ours overlaps face " + line);
        }
        assertEquals(11, references);
    }

    /** --dims 3,320,240 for the prototxt's 240x320: runs (a portrait input is a fair choice), and says it is swapped. */
    @Test
    void heightAndWidthTheOtherWayRoundAreSaid() {
        SharedData.Model model = SharedData.Model.YUFACE;
        CliRun run = CliRun.of("infer", "--deploy_model", model.prototxt().toString(), "--weights",
                model.caffemodel().toString(), "--image", SharedData.require("data/faces/test2.jpg").toString(),
                "--dims", "3,320,240", "--mean_value", "104,117,123");
        assertEquals(0, run.status(), run.stderr());
        assertTrue(run.stderr().contains("(its height and width the other way round: --dims is C,H,W, so images are "
                + "stretched to 320 high and 240 wide; --dims 3,240,320 keeps the prototxt's)"), run.stderr());
    }

    private static double iou(float[] a, float[] b) {
        double w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = w * h;
        return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }
}
