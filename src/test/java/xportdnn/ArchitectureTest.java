package xportdnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages depend on each other in one direction only: each may import from the packages before it in
 * {@link #LAYERS} and from none after it (its subpackages count as itself), so the graph has no cycle and no
 * arrow back up. A new step gets its own package, placed above the ones it uses.
 */
class ArchitectureTest {

    static final List<String> LAYERS = List.of("model", "equalize", "precision", "engine", "data", "calib", "quant", "export",
            "sim", "tune", "validate", "pipeline", "spark", "compare", "cli");

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?xportdnn\\.(\\w+)\\.", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\bxportdnn\\.(\\w+)\\.[A-Z]");

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
        Path main = Path.of("src/main/java/xportdnn");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(file -> {
                String own = main.relativize(file).getName(0).toString();
                int level = LAYERS.indexOf(own);
                if (level < 0) {
                    violations.add(file + ": package '" + own + "' is not placed in ArchitectureTest.LAYERS");
                    return;
                }
                String text = read(file);
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        int used = LAYERS.indexOf(m.group(1));
                        if (used > level) {
                            violations.add(file + " (" + own + ") uses " + m.group(1));
                        }
                    }
                }
            });
        }
        assertEquals(List.of(), violations);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
