package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;
import xportdnn.calib.CalibrationSample;
import xportdnn.calib.PictureCounts;
import xportdnn.data.PreprocessingFlags;
import xportdnn.data.Progress;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;

/** The one-kind calibration check: its bounds by hand, and ResNet-20 on CIFAR-10 images of one class and of all. */
class OneKindCalibrationCheckTest {

    private static Calibration counted(int images, int[] topClasses) {
        List<String> names = Collections.nCopies(images, "a.png");
        return new Calibration(Map.of(), names, names, List.of(),
                new PictureCounts(images, 0, 0, topClasses, new float[images]));
    }

    /** {@code images} pictures over {@code classes} classes, {@code top} of them of class 3. */
    private static Calibration oneClassOf(int images, int classes, int top) {
        int[] counts = new int[classes];
        counts[3] = top;
        for (int i = 0; i < images - top; i++) {
            counts[4 + i % (classes - 4)]++; // the others spread over classes 4 and up
        }
        return counted(images, counts);
    }

    @Test
    void moreThanHalfOfTwentyImagesOfOneClassOfTenIsNamed() {
        List<Notice> w = OneKindCalibrationCheck.of(oneClassOf(20, 10, 11));
        assertEquals(1, w.size());
        assertTrue(w.get(0).warning());
        assertTrue(w.get(0).text().startsWith("the float net's top class is 3 on 11 of the 20 calibration images "
                + "(55%; 10 classes): they look like one kind of picture"), w.get(0).text());
        assertEquals(List.of(), OneKindCalibrationCheck.of(oneClassOf(20, 10, 10)));
        assertEquals(List.of(), OneKindCalibrationCheck.of(oneClassOf(19, 10, 19)));
        assertEquals(List.of(), OneKindCalibrationCheck.of(oneClassOf(20, 9, 20)));
        // statistics loaded from files, a net without class scores, no calibration at all
        assertEquals(List.of(), OneKindCalibrationCheck.of(new Calibration(Map.of(), List.of("a"), List.of("a"))));
        assertEquals(List.of(), OneKindCalibrationCheck.of(counted(50, new int[0])));
        assertEquals(List.of(), OneKindCalibrationCheck.of(null));
    }

    private static Calibration resnet20(Net net, int[] indices) {
        PreprocessingFlags flags = new PreprocessingFlags(new int[] {3, 32, 32}, null, new int[] {0, 1, 2}, 255, null,
                SharedData.require("data/cifar10-test/mean.npy"), 1);
        CalibrationSettings settings = new CalibrationSettings(
                SharedData.require("data/cifar10-test/labels.txt").toString(), 24, CalibrationSample.DEFAULT_SEED,
                indices, 8, flags);
        return Calibration.run(net, settings, Progress.NONE);
    }

    /**
     * The first CIFAR-10 test images by sorted path are all airplanes (class 0): ResNet-20 calls most of them
     * airplanes, and the check names the set. A seeded draw of as many images from the whole set is not named.
     */
    @Test
    void resNet20CalibratedOnAirplanesOnlyIsNamed() {
        Net net = NetLoader.load(SharedData.Model.RESNET20.prototxt(), SharedData.Model.RESNET20.caffemodel());
        List<Notice> airplanes = OneKindCalibrationCheck.of(resnet20(net, IntStream.range(0, 24).toArray()));
        assertEquals(1, airplanes.size());
        assertTrue(airplanes.get(0).text().startsWith("the float net's top class is 0 on "), airplanes.get(0).text());
        Calibration mixed = resnet20(net, null);
        assertEquals(24, mixed.pictures().images());
        assertEquals(24, IntStream.of(mixed.pictures().topClasses()).sum());
        assertEquals(List.of(), OneKindCalibrationCheck.of(mixed));
    }
}
