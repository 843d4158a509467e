package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CloseNamesTest {

    @Test
    void editDistanceByHand() {
        assertEquals(0, CloseNames.distance("conv", "conv"));
        assertEquals(3, CloseNames.distance("kitten", "sitting")); // k->s, e->i, +g
        assertEquals(4, CloseNames.distance("", "pool"));
    }

    @Test
    void suggestsTheClosestFewOrNothing() {
        List<String> names = List.of("data", "conv1", "conv_final", "relu_conv_final", "pool_final", "prob");
        assertEquals(" (close: conv_final)", CloseNames.suggestion("conv_finl", names));
        assertEquals(" (close: conv_final, pool_final, relu_conv_final)", CloseNames.suggestion("final", names));
        assertEquals("", CloseNames.suggestion("pool10", names));
        assertEquals("", CloseNames.suggestion("xyzzy", names));
    }
}
