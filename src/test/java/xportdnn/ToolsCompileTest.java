package xportdnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java tool in {@code tools/} (run as {@code java -cp ... tools/X.java}, so no build compiles them) still
 * compiles against the main code: an API change had left {@code LastStageBound.java} uncompilable unnoticed.
 */
class ToolsCompileTest {

    @TempDir
    Path classes;

    static Stream<Path> tools() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("tools"))) {
            List<Path> java = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertFalse(java.isEmpty(), "tools/ holds Java tools");
            return java.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("tools")
    void compilesAgainstTheMainCode(Path tool) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "a JDK's compiler");
        StringWriter errors = new StringWriter();
        // the test class path holds target/classes and every dependency, as the tools' run commands give them
        int status = compiler.getTask(errors, null, null, List.of("-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "-proc:none", "-Xlint:none", "-nowarn"), null,
                compiler.getStandardFileManager(null, null, null).getJavaFileObjects(tool)).call() ? 0 : 1;
        assertEquals(0, status, tool + " does not compile:\n" + errors);
    }
}
