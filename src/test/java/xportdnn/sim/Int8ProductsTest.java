package xportdnn.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import xportdnn.model.ModelException;

/** The int8 product runs only on CPUs with VNNI, and the override turns it off (or is refused in words). */
class Int8ProductsTest {

    private static final Set<String> EPYC = Set.of("avx2", "avx512f", "avx512bw", "avx512_vnni");
    private static final Set<String> ALDER_LAKE = Set.of("avx2", "avx_vnni");
    private static final Set<String> SKYLAKE_X = Set.of("avx2", "avx512f", "avx512bw");

    @Test
    void onlyWithVnni() {
        assertTrue(Int8Products.choose(EPYC, null));
        assertTrue(Int8Products.choose(ALDER_LAKE, " "));
        assertFalse(Int8Products.choose(SKYLAKE_X, "auto"));
        assertFalse(Int8Products.choose(Set.of(), null)); // no /proc/cpuinfo
    }

    @Test
    void offForcesTheFloatProduct() {
        assertFalse(Int8Products.choose(EPYC, "off"));
        assertFalse(Int8Products.choose(EPYC, " OFF "));
    }

    @Test
    void otherValuesAreRefused() {
        ModelException e = assertThrows(ModelException.class, () -> Int8Products.choose(EPYC, "on"));
        assertTrue(e.getMessage().contains("xportdnn.sim.int8") && e.getMessage().contains("'on'"), e.getMessage());
    }
}
