package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputPlanTest {

    @TempDir
    Path dir;

    @Test
    void everyTargetIsCheckedWhenPlannedAndNamesItsFlag() throws IOException {
        Path input = Files.writeString(dir.resolve("in.prototxt"), "x");
        OutputPlan plan = new OutputPlan(List.of(input)).add("--a", dir.resolve("a.txt")).add("--b", null);
        assertEquals("--b: " + dir.resolve("./a.txt") + " is also the file of --a; give each output its own path",
                assertThrows(ModelException.class, () -> plan.add("--b", dir.resolve("./a.txt"))).getMessage());
        assertEquals("--c: refusing to overwrite the input " + input,
                assertThrows(ModelException.class, () -> plan.add("--c", input)).getMessage());
        assertTrue(assertThrows(ModelException.class, () -> plan.add("--d", dir.resolve("no/d.txt"))).getMessage()
                .startsWith("--d: cannot write " + dir.resolve("no/d.txt") + ": the folder "));
    }

    @Test
    void aFailingBodyLeavesEveryTargetAsItWas() throws IOException {
        Path a = Files.writeString(dir.resolve("a.txt"), "old a");
        Path b = dir.resolve("b.txt");
        OutputPlan plan = new OutputPlan(List.of()).add("--a", a).add("--b", b);
        Map<Path, OutputFile.Body> bodies = new LinkedHashMap<>();
        bodies.put(a, out -> out.write("new a".getBytes(StandardCharsets.UTF_8)));
        bodies.put(b, out -> {
            throw new IOException("disk full");
        });
        assertTrue(assertThrows(ModelException.class, () -> plan.write(bodies)).getMessage()
                .startsWith("--b: cannot write " + b + ": disk full"));
        assertEquals("old a", Files.readString(a));
        assertFalse(Files.exists(b));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(a), files.toList(), "no temporary file left");
        }

        bodies.put(b, out -> out.write("new b".getBytes(StandardCharsets.UTF_8)));
        plan.write(bodies);
        assertEquals("new a", Files.readString(a));
        assertEquals("new b", Files.readString(b));
    }

    @Test
    void onlyPlannedTargetsAreWritten() {
        OutputPlan plan = new OutputPlan(List.of()).add("--a", dir.resolve("a.txt"));
        assertThrows(IllegalArgumentException.class,
                () -> plan.write(Map.of(dir.resolve("other.txt"), out -> out.write(1))));
    }
}
