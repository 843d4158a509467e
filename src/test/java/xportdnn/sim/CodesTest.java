package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The two storages of codes give the same codes through every bulk move. */
class CodesTest {

    private static final int[] CODES = {-128, -1, 0, 1, 5, 127, -7, 64};

    @Test
    void bytesOnlyForARangeWithinAByte() {
        assertTrue(Codes.narrowest(CODES, -128, 127).bytes());
        assertFalse(Codes.narrowest(CODES, -129, 127).bytes());
        assertFalse(Codes.narrowest(new int[] {0, 255}, 0, 255).bytes()); // unsigned 8-bit codes stay ints
    }

    @Test
    void everyMoveGivesTheSameCodesFromBothStorages() {
        for (Codes c : new Codes[] {Codes.of(CODES.clone()), Codes.narrowest(CODES, -128, 127)}) {
            assertArrayEquals(CODES, c.toInts());
            int[] run = new int[4];
            c.read(3, run, 1, 3);
            assertArrayEquals(new int[] {0, 1, 5, 127}, run);
            c.read(1, 3, run, 2, 2); // codes 1, 4
            assertArrayEquals(new int[] {0, 1, -1, 5}, run);
            byte[] int8 = new byte[3];
            c.toInt8(1, 3, int8, 0, 3); // codes 1, 4, 7
            assertArrayEquals(new byte[] {-1, 5, 64}, int8);
            float[] f = new float[4];
            c.toFloat32(4, 1, f, 1, 3);
            assertArrayEquals(new float[] {0, 5, 127, -7}, f);
            c.toFloat32(0, 2, f, 0, 4); // codes 0, 2, 4, 6
            assertArrayEquals(new float[] {-128, 0, 5, -7}, f);
            for (boolean bytes : new boolean[] {true, false}) {
                Codes to = Codes.allocate(bytes, 10);
                c.copy(2, to, 4, 5);
                assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 5, 127, -7, 0}, to.toInts());
                to.write(0, new int[] {9, -9}, 0, 2);
                assertArrayEquals(new int[] {9, -9}, java.util.Arrays.copyOf(to.toInts(), 2));
            }
        }
    }
}
