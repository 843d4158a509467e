package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {

    @TempDir
    Path dir;

    @Test
    void writesANewFileAndLeavesNothingElse() throws IOException {
        Path out = dir.resolve("out.prototxt");
        OutputFile.writeString(out, "name: \"n\"\n", List.of());
        assertEquals("name: \"n\"\n", Files.readString(out));
        assertEquals(List.of(out), list(dir));
    }

    @Test
    void replacesAnExistingOutput() throws IOException {
        Path out = dir.resolve("out.prototxt");
        Files.writeString(out, "old");
        OutputFile.writeString(out, "new", List.of(dir.resolve("in.prototxt")));
        assertEquals("new", Files.readString(out));
        assertEquals(List.of(out), list(dir));
    }

    @Test
    void newFileGetsTheUsualPermissionsNotOwnerOnly() throws IOException {
        Path reference = Files.createFile(dir.resolve("reference"));
        Path out = dir.resolve("out.prototxt");
        OutputFile.writeString(out, "x", List.of());
        assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(out));
    }

    @Test
    void refusesToOverwriteAnInputByAnyName() throws IOException {
        Path input = Files.writeString(dir.resolve("deploy.prototxt"), "input");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link.prototxt"), input);
        Path hard = Files.createLink(dir.resolve("hard.prototxt"), input);
        for (Path target : List.of(input, sub.resolve("../deploy.prototxt"), link, hard)) {
            ModelException e = assertThrows(ModelException.class,
                    () -> OutputFile.writeString(target, "output", List.of(dir.resolve("weights"), input)));
            assertEquals("refusing to overwrite the input " + input, e.getMessage());
        }
        // A relative spelling of the input, resolved against the working directory.
        Path relative = Path.of("").toAbsolutePath().relativize(input);
        assertThrows(ModelException.class, () -> OutputFile.writeString(input, "output", List.of(relative)));
        assertEquals("input", Files.readString(input));
        assertEquals(4, list(dir).size());
    }

    /**
     * In an input folder (an image folder the run scans) a name the scan takes as an image is refused, whether
     * the file is there (an image) or not (the next scan would read it), also below it and through a link to the
     * folder; any other file there may be replaced, and an image name elsewhere is free.
     */
    @Test
    void inAnImageFolderOnlyImageNamesAreRefused() throws IOException {
        Path images = Files.createDirectories(dir.resolve("images/red"));
        Path image = Files.writeString(images.resolve("a.png"), "pixels");
        Path folder = images.getParent();
        Path link = Files.createSymbolicLink(dir.resolve("link"), folder);
        for (Path target : List.of(image, images.resolve("new.JPG"), folder.resolve("b.pnm"),
                link.resolve("red/c.jpeg"))) {
            ModelException e = assertThrows(ModelException.class,
                    () -> OutputFile.writeString(target, "output", List.of(folder)));
            assertEquals("refusing to write " + target + ": the run reads the image folder " + folder + ", whose scan "
                    + "takes this name as an image; write it elsewhere or name it otherwise", e.getMessage());
        }
        assertEquals("pixels", Files.readString(image));
        assertFalse(Files.exists(images.resolve("new.JPG")));
        Path report = Files.writeString(folder.resolve("report.json"), "earlier run");
        OutputFile.writeString(report, "this run", List.of(folder));
        assertEquals("this run", Files.readString(report));
        OutputFile.writeString(images.resolve("a.png.json"), "x", List.of(folder));
        OutputFile.writeString(dir.resolve("elsewhere.png"), "x", List.of(folder));
        assertTrue(Files.exists(dir.resolve("elsewhere.png")));
    }

    @Test
    void missingFolderOrFolderTargetIsRefused() throws IOException {
        Path missing = dir.resolve("no/such/out.prototxt");
        ModelException e = assertThrows(ModelException.class, () -> OutputFile.writeString(missing, "x", List.of()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThrows(ModelException.class, () -> OutputFile.writeString(folder, "x", List.of()));
        assertEquals(List.of(folder), list(dir));
    }

    @Test
    void failedWriteLeavesNoTemporaryFileAndKeepsTheOldOutput() throws IOException {
        Path out = Files.writeString(dir.resolve("out.prototxt"), "old");
        // A lone surrogate cannot be encoded as UTF-8: the write fails after the temporary file was created.
        ModelException e = assertThrows(ModelException.class,
                () -> OutputFile.writeString(out, "bad \uD800", List.of()));
        assertTrue(e.getMessage().startsWith("cannot write " + out + ": "), e.getMessage());
        assertEquals("old", Files.readString(out));
        assertEquals(List.of(out), list(dir));
    }

    @Test
    void bytesAreWrittenAsTheyAreAndInputsRefused() throws IOException {
        Path out = dir.resolve("out.caffemodel");
        byte[] bytes = {0, (byte) 0xff, (byte) 0xc3, 10, 13};
        OutputFile.write(out, bytes, List.of());
        assertArrayEquals(bytes, Files.readAllBytes(out));
        assertThrows(ModelException.class, () -> OutputFile.write(out, new byte[1], List.of(out)));
        assertArrayEquals(bytes, Files.readAllBytes(out));
        assertEquals(List.of(out), list(dir));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
