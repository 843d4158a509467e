package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;

/**
 * The channel-order check on real classifiers and their own images, in the right order and the wrong one (the
 * images' true order is known: CIFAR-10's nets take RGB as the mean file is, SqueezeNet BGR as Caffe's ImageNet
 * nets), and on nets it must leave alone.
 */
class ChannelOrderCheckTest {

    private static List<Notice> check(SharedData.Model model, String set, Preprocessing preprocessing) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        return ChannelOrderCheck.of(net, ImageSet.open(SharedData.require(set), null), new Transformer(preprocessing),
                16, FloatPasses.HERE, Progress.NONE);
    }

    private static Preprocessing cifar(int... swap) {
        Blob mean = Npy.read(SharedData.require("data/cifar10-test/mean.npy"));
        return new Preprocessing(new int[] {3, 32, 32}, null, swap, 255, null, mean, 1);
    }

    @Test
    void cifarImagesInBgrOrderAreNamedForAnRgbNet() {
        List<Notice> wrong = check(SharedData.Model.CIFAR10_FULL, "data/cifar10-test/labels.txt", cifar(2, 1, 0));
        assertEquals(1, wrong.size());
        assertTrue(wrong.get(0).warning());
        assertTrue(wrong.get(0).text().startsWith("the float net is surer of its top class with the colour channels "
                + "the other way round (--channel_swap 0,1,2 instead of 2,1,0) on "), wrong.get(0).text());
        assertEquals(List.of(), check(SharedData.Model.CIFAR10_FULL, "data/cifar10-test/labels.txt", cifar(0, 1, 2)));
    }

    @Test
    void imagenetImagesInRgbOrderAreNamedForABgrNet() {
        Preprocessing bgr = new Preprocessing(new int[] {3, 227, 227}, null, new int[] {2, 1, 0}, 255,
                new float[] {104, 117, 123}, null, 1);
        String set = "data/imagenet-val-500/val.txt";
        assertEquals(List.of(), check(SharedData.Model.SQUEEZENET, set, bgr));
        List<Notice> wrong = check(SharedData.Model.SQUEEZENET, set, bgr.withChannelSwap(new int[] {0, 1, 2}));
        assertEquals(1, wrong.size());
        assertTrue(wrong.get(0).text().contains("(--channel_swap 2,1,0 instead of 0,1,2)"), wrong.get(0).text());
    }

    /**
     * The example net tells red from blue squares: in the other order it is as sure, of the other class, so no
     * order is the surer one. A grey net and a detector are not checked.
     */
    @Test
    void netsWithoutAPreferredOrderAreLeftAlone() {
        Net tiny = NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"));
        ImageSet images = ImageSet.open(Path.of("examples/tinynet/val.txt"), null);
        for (int[] swap : new int[][] {{2, 1, 0}, {0, 1, 2}}) {
            Preprocessing p = new Preprocessing(new int[] {3, 32, 32}, null, swap, 255, new float[] {128, 128, 128},
                    null, 1);
            assertEquals(List.of(), ChannelOrderCheck.of(tiny, images, new Transformer(p), 8, FloatPasses.HERE,
                    Progress.NONE));
        }
        Preprocessing grey = new Preprocessing(new int[] {1, 28, 28}, null, new int[] {0}, 1, null, null, 0.00390625f);
        assertEquals(List.of(), check(SharedData.Model.LENET, "data/mnist/t10k-images-idx3-ubyte.gz", grey));
    }

    /**
     * Images that do not decode are left out of the check, never an error of the run (the calibration's own draw
     * may not hold them).
     */
    @Test
    void imagesThatDoNotDecodeAreLeftOut() {
        Net tiny = NetLoader.load(Path.of("examples/tinynet/deploy.prototxt"),
                Path.of("examples/tinynet/tinynet.caffemodel"));
        List<ImageSet.Entry> broken = IntStream.range(0, 30).mapToObj(i -> new ImageSet.Entry("bad" + i,
                OptionalInt.empty(), color -> {
                    throw new ModelException("bad" + i + ": cannot decode image");
                })).toList();
        Preprocessing p = new Preprocessing(new int[] {3, 32, 32}, null, null, 255, new float[] {128, 128, 128}, null,
                1);
        assertEquals(List.of(), ChannelOrderCheck.of(tiny, ImageSet.of(broken), new Transformer(p), 8,
                FloatPasses.HERE, Progress.NONE));
    }
}
