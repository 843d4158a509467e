package xportdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Npy;
import xportdnn.model.proto.Caffe;

class PreprocessingTest {

    private static final int[] RGB = {3, 227, 227};

    @TempDir
    Path tmp;

    @Test
    void defaultsAreTheOriginalTools() {
        Preprocessing colour = Preprocessing.defaults(RGB);
        assertArrayEquals(new int[] {2, 0, 1}, colour.transpose());
        assertArrayEquals(new int[] {2, 1, 0}, colour.channelSwap());
        assertEquals(255f, colour.rawScale());
        assertEquals(1f, colour.inputScale());
        assertNull(colour.meanValues());
        assertTrue(colour.color());
        Preprocessing grey = Preprocessing.defaults(new int[] {1, 28, 28});
        assertArrayEquals(new int[] {0}, grey.channelSwap());
        assertFalse(grey.color());
    }

    @Test
    void badSettingsNameTheFlag() {
        assertBad(() -> settings(new int[] {1, 3, 227, 227}, null, null, null), "--dims: expected C,H,W");
        assertBad(() -> settings(new int[] {3, 0, 227}, null, null, null), "--dims:");
        assertBad(() -> settings(new int[] {4, 227, 227}, null, null, null), "--dims: 4 channels");
        assertBad(() -> settings(RGB, new int[] {2, 2, 0}, null, null), "--transpose: 2,2,0 is not an order of 0,1,2");
        assertBad(() -> settings(RGB, new int[] {2, 0}, null, null), "--transpose: 2,0 has 2 values");
        assertBad(() -> settings(RGB, new int[] {1, 0, 2}, null, null), "--transpose: 1,0,2 turns the 227x227x3");
        assertBad(() -> settings(new int[] {3, 240, 320}, new int[] {2, 1, 0}, null, null), "--transpose:");
        settings(RGB, new int[] {2, 1, 0}, null, null); // square input: a real transposition, allowed
        assertBad(() -> settings(new int[] {1, 28, 28}, null, new int[] {2, 1, 0}, null),
                "--channel_swap: 2,1,0 has 3 values for a 1-channel input (use 0 for grey)");
        assertBad(() -> settings(RGB, null, new int[] {0, 0, 1}, null), "--channel_swap: 0,0,1 is not an order");
        assertBad(() -> settings(RGB, null, null, new float[] {104, 117}), "--mean_value: 2 values for a 3-channel");
        assertBad(() -> settings(RGB, null, null, new float[] {104, Float.NaN, 1}), "--mean_value: NaN");
        assertBad(() -> new Preprocessing(RGB, null, null, Float.NaN, null, null, 1f), "--raw_scale: NaN");
        assertBad(() -> new Preprocessing(RGB, null, null, 255f, null, null, 0f), "--input_scale: 0.0");
        Blob mean = new Blob(new int[] {3, 227, 227}, new float[3 * 227 * 227]);
        assertBad(() -> new Preprocessing(RGB, null, null, 255f, new float[] {1, 2, 3}, mean, 1f),
                "--mean_value and --mean_file cannot be used together");
    }

    /** Caffe's ImageNet mean is 256x256 for 227x227 nets: refused, with its per-channel averages as a hint. */
    @Test
    void meanArrayOfAnotherSizeSuggestsMeanValues() {
        float[] data = new float[3 * 4 * 4];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i / 16) * 10 + (i % 2 == 0 ? 0 : 1); // plane averages 0.5, 10.5, 20.5
        }
        Blob mean = new Blob(new int[] {1, 3, 4, 4}, data);
        assertBad(() -> new Preprocessing(RGB, null, null, 255f, null, mean, 1f),
                "--mean_file: the mean is 1x3x4x4, the input is 3x227x227; to subtract its per-channel averages use "
                        + "--mean_value 0.5000,10.5000,20.5000");
    }

    /** A mean of another channel count is another net's: its per-channel averages would not fit either. */
    @Test
    void meanArrayOfOtherChannelsSuggestsNothing() {
        Blob mean = new Blob(new int[] {2, 4, 4}, new float[2 * 4 * 4]);
        ModelException e = assertThrows(ModelException.class,
                () -> new Preprocessing(RGB, null, null, 255f, null, mean, 1f));
        assertEquals("--mean_file: the mean is 2x4x4, the input is 3x227x227", e.getMessage());
    }

    @Test
    void aMeanThatIsNotFiniteIsNamed() {
        float[] data = new float[3 * 2 * 2];
        data[7] = Float.NaN; // channel 1, row 1, column 1
        assertBad(() -> new Preprocessing(new int[] {3, 2, 2}, null, null, 255f, null, new Blob(new int[] {3, 2, 2},
                data), 1f), "--mean_file: the mean holds NaN (channel 1, row 1, column 1); a mean must be finite");
    }

    @Test
    void meanArrayShapesThatFit() {
        int[] dims = {1, 2, 2};
        float[] four = {1, 2, 3, 4};
        for (int[] shape : new int[][] {{2, 2}, {1, 2, 2}, {1, 1, 2, 2}}) {
            Preprocessing p = new Preprocessing(dims, null, null, 255f, null, new Blob(shape, four), 1f);
            assertArrayEquals(dims, p.meanArray().shape(), Arrays.toString(shape));
        }
    }

    /** A .binaryproto as Caffe's compute_image_mean writes it (legacy num/channels/height/width) and with shape. */
    @Test
    void meanFileReadsBinaryprotoAndNpy() throws IOException {
        Path legacy = tmp.resolve("legacy.binaryproto");
        Files.write(legacy, Caffe.BlobProto.newBuilder().setNum(1).setChannels(3).setHeight(1).setWidth(2)
                .addAllData(java.util.List.of(1f, 2f, 3f, 4f, 5f, 6f)).build().toByteArray());
        Blob a = MeanFile.read(legacy, new int[] {3, 1, 2});
        assertArrayEquals(new int[] {1, 3, 1, 2}, a.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.data());

        Path shaped = tmp.resolve("shaped.binaryproto");
        Files.write(shaped, Caffe.BlobProto.newBuilder()
                .setShape(Caffe.BlobShape.newBuilder().addDim(3).addDim(1).addDim(1))
                .addAllDoubleData(java.util.List.of(0.5, 1.5, 2.5)).build().toByteArray());
        Blob b = MeanFile.read(shaped, new int[] {3, 1, 1});
        assertArrayEquals(new int[] {3, 1, 1}, b.shape());
        assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, b.data());

        Path npy = tmp.resolve("mean.npy");
        Npy.write(new Blob(new int[] {3}, new float[] {104, 117, 123}), npy);
        assertArrayEquals(new float[] {104, 117, 123}, MeanFile.read(npy, new int[] {3, 1, 1}).data());
    }

    /** A mean of one value per channel (a .npy of shape (3,)), as pycaffe's set_mean takes it: the same as --mean_value. */
    @Test
    void aMeanFileOfOneValuePerChannelIsSpreadOverThePlane() {
        int[] dims = {3, 2, 2};
        Preprocessing p = new Preprocessing(dims, null, null, 255f, null,
                new Blob(new int[] {3}, new float[] {104, 117, 123}), 1f);
        assertArrayEquals(dims, p.meanArray().shape());
        assertArrayEquals(new float[] {104, 104, 104, 104, 117, 117, 117, 117, 123, 123, 123, 123}, p.meanArray().data());
        ModelException e = assertThrows(ModelException.class, () -> new Preprocessing(new int[] {1, 2, 2}, null, null,
                255f, null, new Blob(new int[] {3}, new float[] {104, 117, 123}), 1f));
        assertEquals("--mean_file: the mean is 3, the input is 1x2x2", e.getMessage());
    }

    @Test
    void badMeanFilesAreNamed() throws IOException {
        Path text = Files.writeString(tmp.resolve("mean.binaryproto"), "this is not protobuf \u00ff\u00fe");
        assertBad(() -> MeanFile.read(text, new int[] {3, 2, 2}), text.toString());
        Path wrongCount = tmp.resolve("count.binaryproto");
        Files.write(wrongCount, Caffe.BlobProto.newBuilder().setNum(1).setChannels(3).setHeight(2).setWidth(2)
                .addData(1f).build().toByteArray());
        assertBad(() -> MeanFile.read(wrongCount, new int[] {3, 2, 2}), wrongCount + ": BlobProto of shape 1x3x2x2 holds 1 values");
        Path missing = tmp.resolve("missing.binaryproto");
        assertBad(() -> MeanFile.read(missing, new int[] {3, 2, 2}), missing + ": cannot read");
    }

    private static Preprocessing settings(int[] dims, int[] transpose, int[] swap, float[] meanValues) {
        return new Preprocessing(dims, transpose, swap, 255f, meanValues, null, 1f);
    }

    private static void assertBad(Executable call, String start) {
        ModelException e = assertThrows(ModelException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
