package xportdnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing shared path fails the test on CI and skips it elsewhere; a present one is returned. */
class SharedDataTest {

    @TempDir
    Path dir;

    @Test
    void absentOnCiFailsNamingThePath() {
        Path missing = dir.resolve("models/nowhere.caffemodel");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> SharedData.require(missing, "true", null));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("CI needs"), e.getMessage());
        assertTrue(e.getMessage().contains("../shared"), e.getMessage());
        // GitHub Actions and most CI services set CI=true; some spell it in capitals
        assertThrows(AssertionFailedError.class, () -> SharedData.require(missing, "TRUE", null));
    }

    @Test
    void absentWithThePropertyFailsAsOnCi() {
        Path missing = dir.resolve("absent");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> SharedData.require(missing, null, "true"));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(SharedData.REQUIRE_PROPERTY), e.getMessage());
    }

    @Test
    void absentOffCiSkipsNamingThePath() {
        Path missing = dir.resolve("absent");
        for (String ci : new String[] {null, "", "false"}) {
            TestAbortedException e = assertThrows(TestAbortedException.class,
                    () -> SharedData.require(missing, ci, null), "CI=" + ci);
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
        assertThrows(TestAbortedException.class, () -> SharedData.require(missing, "false", "false"));
    }

    @Test
    void presentIsReturnedWhateverTheSettings() throws IOException {
        Path file = Files.writeString(dir.resolve("present.txt"), "x");
        for (String ci : new String[] {null, "true", "false"}) {
            assertEquals(file, SharedData.require(file, ci, ci));
        }
        assertEquals(dir, SharedData.require(dir, "true", "true"));
    }
}
