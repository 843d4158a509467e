package xportdnn.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xportdnn.SharedData;
import xportdnn.data.ImageSet;
import xportdnn.data.Preprocessing;
import xportdnn.data.Progress;
import xportdnn.data.Transformer;
import xportdnn.engine.FloatEngine;
import xportdnn.model.Blob;
import xportdnn.model.ModelException;
import xportdnn.model.Net;
import xportdnn.model.NetLoader;
import xportdnn.model.Npy;
import xportdnn.validate.OutputBlob;

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

    private static ChannelOrderCheck.Outcome run(SharedData.Model model, String set, Preprocessing preprocessing) {
        Net net = NetLoader.load(model.prototxt(), model.caffemodel());
        return ChannelOrderCheck.run(new FloatEngine(net), OutputBlob.choose(net, null),
                ImageSet.open(SharedData.require(set), null), "the calibration set", new Transformer(preprocessing), 16,
                Progress.NONE);
    }

    /**
     * The three CIFAR-10 nets take RGB (as their mean file is): BGR is named, RGB is not. The right order stops the
     * sequential test before all 128 images (each of these nets prefers its order by 3.5 standard deviations or more
     * on all 128); the warning names the images read.
     */
    @ParameterizedTest
    @EnumSource(value = SharedData.Model.class, names = {"CIFAR10_QUICK", "CIFAR10_FULL", "RESNET20"})
    void cifarImagesInBgrOrderAreNamedForAnRgbNet(SharedData.Model model) {
        String set = "data/cifar10-test/labels.txt";
        ChannelOrderCheck.Outcome wrong = run(model, set, cifar(2, 1, 0));
        assertEquals(1, wrong.notices().size());
        String text = wrong.notices().get(0).text();
        assertTrue(wrong.notices().get(0).warning());
        assertTrue(text.startsWith("the float net is surer of its top class with the colour channels the other way "
                + "round (--channel_swap 0,1,2 instead of 2,1,0) on "), text);
        assertTrue(text.contains(" of " + wrong.images() + " images of the calibration set"), text);
        ChannelOrderCheck.Outcome right = run(model, set, cifar(0, 1, 2));
        assertEquals(List.of(), right.notices());
        assertTrue(right.images() < ChannelOrderCheck.MAX_IMAGES, right.images() + " images read");
        assertEquals(List.of(), check(model, set, cifar(0, 1, 2)));
    }

    @Test
    void imagenetImagesInRgbOrderAreNamedForABgrNet() {
        Preprocessing bgr = new Preprocessing(new int[] {3, 227, 227}, null, new int[] {2, 1, 0}, 255,
                new float[] {104, 117, 123}, null, 1);
        String set = "data/imagenet-val-500/val.txt";
        ChannelOrderCheck.Outcome right = run(SharedData.Model.SQUEEZENET, set, bgr);
        assertEquals(List.of(), right.notices());
        assertTrue(right.images() < ChannelOrderCheck.MAX_IMAGES, right.images() + " images read");
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
