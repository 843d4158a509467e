package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import xportdnn.calib.PictureCounts;
import xportdnn.data.FloatImage;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.engine.layers.Tensors;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.TestWeights;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.quant.TestStatistics;

/** The preprocessing checks' bounds, by hand on statistics given directly. */
class PreprocessingChecksTest {

    private static final String PROTOTXT = """
            layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 2 dim: 2 } } }
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }
            """;

    /**
     * BatchNorm statistics stored as Caffe's running sums with scale factor 2: mean (3, 0), variance (7, 2), so
     * the trained root mean square is sqrt(((7 + 9) + (2 + 0)) / 2) = 3.
     */
    private static Net net() {
        NetParameter weights = NetParameter.newBuilder()
                .addLayer(TestWeights.layer("conv", TestWeights.blob(new int[] {2, 3, 1, 1}, 1, 0, 0, 0, 1, 0),
                        TestWeights.blob(new int[] {2}, 0, 0)))
                .addLayer(TestWeights.layer("bn", TestWeights.blob(new int[] {2}, 6, 0),
                        TestWeights.blob(new int[] {2}, 14, 4), TestWeights.blob(new int[] {1}, 2)))
                .build();
        return NetLoader.build(TestWeights.definition(PROTOTXT), weights);
    }

    private static Calibration calibration(String layer, float... values) {
        return new Calibration(Map.of(layer, TestStatistics.of(values)), List.of("a.png"), List.of("a.png"));
    }

    @Test
    void aConvolutionOutputTenTimesOffItsBatchNormsTrainingIsNamed() {
        String w = BatchNormScaleCheck.of(net(), calibration("conv", 31, -31)).get(0).text();
        assertTrue(w.contains("layer 'conv' outputs a root mean square of 31.0 on the calibration images, but its "
                + "BatchNorm 'bn' was trained on 3.00 (10.3 times more)") && w.contains("--input_scale"), w);
        assertEquals(List.of(), BatchNormScaleCheck.of(net(), calibration("conv", 29, -29)));
        assertTrue(BatchNormScaleCheck.of(net(), calibration("conv", 0.29f)).get(0).text().contains("10.3 times less"));
        assertEquals(List.of(), BatchNormScaleCheck.of(net(), calibration("conv", 0.31f)));
    }

    /**
     * A net folded before calibration: the layers up to the convolution are kept as a net of their own and run on the
     * calibration images. A 2 x 2 image of pixels (0.9, 0.1, 0.1) times --raw_scale r gives the convolution's channels (0.9 r,
     * 0.1 r), root mean square r sqrt(0.41): r = 100 is 64.0, 21.3 times the trained 3; r = 10 is 2.13 times.
     */
    @Test
    void aFoldedNetIsCheckedOnTheLayersBeforeItsBatchNorm() {
        BatchNormScaleCheck.Prefix prefix = BatchNormScaleCheck.prefix(net());
        assertEquals(List.of("data", "conv"), prefix.net().layers().stream().map(l -> l.name()).toList());
        assertEquals("bn", prefix.batchNorm().name());
        float[] pixels = new float[2 * 2 * 3];
        for (int i = 0; i < pixels.length; i += 3) {
            pixels[i] = 0.9f;
            pixels[i + 1] = 0.1f;
            pixels[i + 2] = 0.1f;
        }
        List<ImageSet.Entry> images = List.of(new ImageSet.Entry("a", OptionalInt.empty(),
                color -> new FloatImage(2, 2, 3, pixels)));
        for (float raw : new float[] {100, 10}) {
            Preprocessing p = new Preprocessing(new int[] {3, 2, 2}, null, new int[] {0, 1, 2}, raw, null, null, 1);
            List<Notice> w = BatchNormScaleCheck.of(prefix, new CalibrationInput(images, new Transformer(p), 1,
                    List.of()));
            if (raw == 100) {
                assertTrue(w.get(0).text().contains("layer 'conv' outputs a root mean square of 64.0 on the "
                        + "calibration images, but its BatchNorm 'bn' was trained on 3.00 (21.3 times more)"),
                        w.get(0).text());
            } else {
                assertEquals(List.of(), w);
            }
        }
        assertEquals(null, BatchNormScaleCheck.prefix(NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"))).net().layers().stream()
                .filter(l -> l.type().equals("BatchNorm")).findFirst().orElse(null));
    }

    /** Mean 100, 110, 120 (average 110), --input_scale 0.5: the data blob's average a is (pixels - 110) * 0.5. */
    private static List<Notice> meanCheck(float rawScale, float dataAverage) {
        Preprocessing p = new Preprocessing(new int[] {3, 2, 2}, null, null, rawScale, new float[] {100, 110, 120},
                null, 0.5f);
        return MeanScaleCheck.of(net(), p, calibration("data", dataAverage));
    }

    @Test
    void pixelsTenTimesOffTheMeanAreNamedWithTheLikelyFlag() {
        // pixels 10 = a tenth of the mean: with --raw_scale 1 no pixel can reach the mean
        String w = meanCheck(1, -50).get(0).text();
        assertTrue(w.contains("average 10.0 per value after --raw_scale 1, the mean subtracted from them averages "
                + "110") && w.contains("give --raw_scale 255"), w);
        assertTrue(meanCheck(255, -50).get(0).text().contains("far darker images than the mean's"));
        assertEquals(List.of(), meanCheck(1, -49)); // pixels 12
        assertEquals(List.of(), meanCheck(255, 440)); // pixels 990
        assertTrue(meanCheck(255, 500).get(0).text().contains("the mean looks given on another scale")); // 1110
    }

    @Test
    void noMeanIsNotChecked() {
        Preprocessing p = new Preprocessing(new int[] {3, 2, 2}, null, null, 1, null, null, 1);
        assertEquals(List.of(), MeanScaleCheck.of(net(), p, calibration("data", -1000)));
    }

    /** The calibration's count of grey images: a colour net calibrated on grey images only is named. */
    @Test
    void greyCalibrationImagesAreCountedNotDecodedAgain() {
        Preprocessing colour = new Preprocessing(new int[] {3, 2, 2}, null, null, 1, null, null, 1);
        List<String> four = List.of("a.png", "b.png", "c.png", "d.png");
        Calibration allGrey = new Calibration(Map.of(), four, four, List.of(),
                new PictureCounts(4, 4, 0, new int[0], new float[0]));
        assertTrue(GreyCalibrationCheck.of(colour, allGrey).get(0).text()
                .startsWith("all 4 calibration images are grey, but the net takes colour"));
        assertEquals(List.of(), GreyCalibrationCheck.of(colour, new Calibration(Map.of(), four, four, List.of(),
                new PictureCounts(4, 3, 0, new int[0], new float[0]))));
        // statistics loaded from files saw no image
        assertEquals(List.of(), GreyCalibrationCheck.of(colour, new Calibration(Map.of(), four, four)));
        Preprocessing grey = new Preprocessing(new int[] {1, 2, 2}, null, new int[] {0}, 1, null, null, 1);
        assertEquals(List.of(), GreyCalibrationCheck.of(grey, allGrey));
    }

    /**
     * The calibration counts the grey images as its passes decode them: two grey pictures (one channel, repeated;
     * three equal channels) and a colour one, each decoded once per pass and never for the check; and the example
     * net's top class of each.
     */
    @Test
    void theCalibrationCountsGreyImagesAsItDecodesThem() {
        Net tiny = NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"));
        AtomicInteger loads = new AtomicInteger();
        List<ImageSet.Entry> images = new ArrayList<>();
        float[][] pixels = {{0.2f}, {0.5f, 0.5f, 0.5f}, {0.9f, 0.1f, 0.1f}};
        for (int i = 0; i < pixels.length; i++) {
            float[] p = pixels[i];
            images.add(new ImageSet.Entry("i" + i, OptionalInt.empty(), color -> {
                loads.incrementAndGet();
                FloatImage one = new FloatImage(1, 1, p.length, p);
                return p.length == 1 ? one.toColor() : one;
            }));
        }
        Preprocessing colour = new Preprocessing(new int[] {3, 32, 32}, null, null, 1, null, null, 1);
        Calibration c = Calibration.run(tiny, new CalibrationInput(images, new Transformer(colour), 2, List.of()),
                FloatPasses.HERE, Progress.NONE);
        assertEquals(2, c.pictures().grey());
        assertEquals(2 * 3, loads.get());
        // and the example net's top class of each, as its own forward pass of each image gives it
        int[] expected = new int[3];
        FloatEngine engine = new FloatEngine(tiny);
        for (ImageSet.Entry image : images) {
            float[] input = new float[3 * 32 * 32];
            new Transformer(colour).preprocess(image, input, 0);
            float[] scores = Tensors.floats(engine.forward(input, 1, (layer, tops) -> {
            }).get("prob"));
            int top = 0;
            for (int k = 1; k < scores.length; k++) {
                top = scores[k] > scores[top] ? k : top;
            }
            expected[top]++;
        }
        assertArrayEquals(expected, c.pictures().topClasses());
    }

    /**
     * Photos whose file carries an EXIF orientation are counted as the calibration decodes them (here Pillow's file
     * with orientation 6 and the example's upright PNGs) and said in one note: they are read as stored.
     */
    @Test
    void turnedPhotosAreCountedAndNoted() {
        Net tiny = NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"));
        List<ImageSet.Entry> images = new ArrayList<>();
        for (String file : List.of("testdata/images/exif-orientation6.jpg", "examples/tinynet/images/blue_00.png",
                "testdata/images/exif-orientation6.jpg")) {
            images.add(new ImageSet.Entry(file, OptionalInt.empty(), new ImageSet.ImageFile(Path.of(file))));
        }
        Preprocessing colour = new Preprocessing(new int[] {3, 32, 32}, null, null, 1, null, null, 1);
        Calibration c = Calibration.run(tiny, new CalibrationInput(images, new Transformer(colour), 2, List.of()),
                FloatPasses.HERE, Progress.NONE);
        assertEquals(2, c.pictures().turned());
        assertEquals(List.of(Notice.note("2 of the 3 calibration images carry an EXIF orientation other than 1 (photos "
                + "a viewer turns upright); they are read as stored, not turned, as caffe.io.load_image read them with "
                + "scikit-image up to 0.14 (scikit-image 0.15 and later, and Caffe's cv::imread, turn them): if the net "
                + "was trained on upright pictures, turn the files first (exiftran -ai, mogrify -auto-orient)")),
                TurnedImagesNote.of(c));
        assertEquals(List.of(), TurnedImagesNote.of(new Calibration(Map.of(), List.of("a"), List.of("a"))));
    }
}
