package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import xportdnn.SharedData;

/** The activation footprint against LeNet counted by hand. */
class ActivationFootprintTest {

    /*
     * LeNet, one 1x28x28 image, float32 (4 bytes a value): data 784 values = 3,136 B; conv1 20x24x24 = 46,080 B;
     * pool1 20x12x12 = 11,520 B; conv2 50x8x8 = 12,800 B; pool2 50x4x4 = 3,200 B; ip1 500 = 2,000 B (relu1 in
     * place); ip2 10 = 40 B; prob 10 = 40 B. Live while each layer runs, buffers freed after their last reader:
     * data 3,136; conv1 3,136 + 46,080 = 49,216; pool1 46,080 + 11,520 = 57,600 (data freed after conv1);
     * conv2 11,520 + 12,800 = 24,320; pool2 12,800 + 3,200 = 16,000; ip1 3,200 + 2,000 = 5,200; relu1 2,000;
     * ip2 2,000 + 40 = 2,040; prob 40 + 40 = 80. Peak: 57,600 at pool1.
     */
    @Test
    void leNetInFloatPeaksAtPoolOne() {
        Net net = NetLoader.load(SharedData.Model.LENET.prototxt(), null);
        ActivationFootprint.Result r = ActivationFootprint.of(net, blob -> 32);
        assertEquals(List.of(3136L, 49216L, 57600L, 24320L, 16000L, 5200L, 2000L, 2040L, 80L),
                r.steps().stream().map(ActivationFootprint.Step::liveBytes).toList());
        assertEquals(List.of(3136L, 46080L, 11520L, 12800L, 3200L, 2000L, 0L, 40L, 40L),
                r.steps().stream().map(ActivationFootprint.Step::outputBytes).toList());
        assertEquals(57600, r.peakBytes());
    }

    /** 8-bit codes for the device's blobs, float for the rest: conv1 + pool1 at one byte a value peaks. */
    @Test
    void leNetWithEightBitConvolutionBlobs() {
        Net net = NetLoader.load(SharedData.Model.LENET.prototxt(), null);
        ActivationFootprint.Result r = ActivationFootprint.of(net,
                blob -> blob.startsWith("conv") || blob.startsWith("pool") || blob.equals("data") ? 8 : 32);
        // data 784 + conv1 11,520 = 12,304; conv1 11,520 + pool1 2,880 = 14,400; conv2 2,880 + 3,200 = 6,080
        assertEquals(14400, r.peakBytes());
        assertEquals(12304, r.steps().get(1).liveBytes());
    }

    @Test
    void oddBitsRoundUpToWholeBytes() {
        assertEquals(2, ActivationFootprint.bytesPerImage(new int[] {5, 3}, 4)); // 3 values x 4 bits = 12 bits
        assertEquals(3, ActivationFootprint.bytesPerImage(new int[] {1, 3}, 8));
    }
}
