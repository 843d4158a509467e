package xportdnn.engine.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A derived view is made once per source array, and made again for another array. */
class DerivedViewTest {

    @Test
    void theSameArrayGivesTheSameViewAnotherArrayItsOwn() {
        DerivedView view = new DerivedView(Tensors::channelsFirstView);
        INDArray first = Nd4j.arange(24).castTo(DataType.FLOAT).reshape(1, 2, 3, 4);
        INDArray second = first.mul(10);
        INDArray firstView = view.of(first);
        assertSame(firstView, view.of(first));
        assertArrayEquals(new long[] {1, 4, 2, 3}, firstView.shape());
        INDArray secondView = view.of(second);
        assertNotSame(firstView, secondView);
        assertArrayEquals(new float[] {10}, new float[] {secondView.getFloat(0, 1, 0, 0)}); // second's value 1 * 10
        assertNotSame(secondView, view.of(first)); // back to the first: made again from it
        assertArrayEquals(new float[] {1}, new float[] {view.of(first).getFloat(0, 1, 0, 0)});
    }

    @Test
    void noneIsRememberedToo() {
        DerivedView storage = new DerivedView(Tensors::channelsLastStorage);
        INDArray dense = Nd4j.zeros(DataType.FLOAT, 1, 2, 3, 4);
        assertNull(storage.of(dense)); // a dense channels-first array has no channels-last memory behind it
        assertNull(storage.of(dense));
        INDArray channelsLast = Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 2);
        assertArrayEquals(new long[] {1, 3, 4, 2}, storage.of(Tensors.channelsFirstView(channelsLast)).shape());
    }
}
