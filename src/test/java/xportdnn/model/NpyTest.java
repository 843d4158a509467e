package xportdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xportdnn.SharedData.Model;

class NpyTest {

    private static final Path FIXTURES = Path.of("testdata/npy");

    @TempDir
    Path tmp;

    private static Blob fixture(String name) {
        return Npy.read(FIXTURES.resolve(name));
    }

    @Test
    void readsTheDtypesNumpyWrites() {
        assertBlob(fixture("f4_2x3.npy"), new int[] {2, 3}, -2, -0.5f, 1, 2.5f, 4, 5.5f);
        assertBlob(fixture("f4_3.npy"), new int[] {3}, 1.25f, -3.5f, 1e-3f);
        assertBlob(fixture("f4_scalar.npy"), new int[] {}, 7.5f);
        assertBlob(fixture("f4_12345x0.npy"), new int[] {12345, 0});
        assertBlob(fixture("be_f8_2x2.npy"), new int[] {2, 2}, 1.5f, -2.25f, 3e10f, -0.0f);
        assertBlob(fixture("u1_3.npy"), new int[] {3}, 0, 7, 255);
        assertBlob(fixture("i8_3.npy"), new int[] {3}, -5, 0, (float) (1L << 40));
        assertBlob(fixture("be_i4_2x2.npy"), new int[] {2, 2}, 1, -2, 3, -4);
        assertBlob(fixture("b1_2.npy"), new int[] {2}, 1, 0);
        assertBlob(fixture("v2_f4_3.npy"), new int[] {3}, 1, 2, 3);
        assertBlob(fixture("v3_f4_3.npy"), new int[] {3}, 1, 2, 3);
        float[] expected = new float[24];
        for (int i = 0; i < 24; i++) {
            expected[i] = i / 8f;
        }
        assertBlob(fixture("f4_1x2x3x4.npy"), new int[] {1, 2, 3, 4}, expected);
    }

    @Test
    void fortranOrderIsRejectedByName() {
        ModelException e = assertThrows(ModelException.class, () -> fixture("fortran_f4_2x3.npy"));
        assertTrue(e.getMessage().contains("fortran_f4_2x3.npy") && e.getMessage().contains("Fortran"), e.getMessage());
    }

    /** Same values as the NumPy-written fixtures: the bytes must be identical, header padding included. */
    @Test
    void writesTheBytesNumpyWrites() throws IOException {
        float[] seq = new float[24];
        for (int i = 0; i < 24; i++) {
            seq[i] = i / 8f;
        }
        List<Object[]> cases = List.of(
                new Object[] {"f4_2x3.npy", new Blob(new int[] {2, 3}, new float[] {-2, -0.5f, 1, 2.5f, 4, 5.5f})},
                new Object[] {"f4_3.npy", new Blob(new int[] {3}, new float[] {1.25f, -3.5f, 1e-3f})},
                new Object[] {"f4_scalar.npy", new Blob(new int[] {}, new float[] {7.5f})},
                new Object[] {"f4_1x2x3x4.npy", new Blob(new int[] {1, 2, 3, 4}, seq)},
                new Object[] {"f4_12345x0.npy", new Blob(new int[] {12345, 0}, new float[0])});
        for (Object[] c : cases) {
            Path out = tmp.resolve((String) c[0]);
            Npy.write((Blob) c[1], out);
            assertArrayEquals(Files.readAllBytes(FIXTURES.resolve((String) c[0])), Files.readAllBytes(out),
                    (String) c[0]);
        }
    }

    @Test
    void roundTripKeepsEveryBitAndReplacesTheOldFile() throws IOException {
        Random random = new Random(42);
        float[] data = new float[3 * 5 * 7 * 11];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian() * 1000;
        }
        data[0] = Float.NaN;
        data[1] = Float.NEGATIVE_INFINITY;
        data[2] = -0.0f;
        data[3] = Float.MIN_VALUE;
        Path out = tmp.resolve("x.npy");
        Files.writeString(out, "old content");
        Npy.write(new Blob(new int[] {3, 5, 7, 11}, data), out);
        Blob back = Npy.read(out);
        assertArrayEquals(new int[] {3, 5, 7, 11}, back.shape());
        for (int i = 0; i < data.length; i++) {
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back.data()[i]), "value " + i);
        }
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(out), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writingIntoAMissingFolderNamesTheFile() {
        Path out = tmp.resolve("missing/x.npy");
        ModelException e = assertThrows(ModelException.class,
                () -> Npy.write(new Blob(new int[] {1}, new float[] {1}), out));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void malformedFilesAreNamedInOneLine() throws IOException {
        byte[] good = Files.readAllBytes(FIXTURES.resolve("f4_2x3.npy"));
        assertMalformed("truncated.npy", Arrays.copyOf(good, good.length - 1), "truncated");
        assertMalformed("header.npy", Arrays.copyOf(good, 40), "truncated");
        assertMalformed("short.npy", Arrays.copyOf(good, 8), "truncated");
        assertMalformed("magic.npy", "PK\u0003\u0004 not numpy".getBytes(StandardCharsets.ISO_8859_1), "magic");
        byte[] version = good.clone();
        version[6] = 4;
        assertMalformed("version.npy", version, "version 4.0");
        byte[] complex = new String(good, StandardCharsets.ISO_8859_1).replace("<f4", "<c8")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertMalformed("complex.npy", complex, "<c8");
        byte[] noShape = new String(good, StandardCharsets.ISO_8859_1).replace("'shape'", "'shap_'")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertMalformed("noshape.npy", noShape, "shape");
    }

    /** A .npy header (version 1.0) with the given dict, padded to 64 bytes as NumPy pads it, and no data. */
    private static byte[] npyHeader(String dict) {
        String text = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length())
                .put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    /** Sizes come from the header: checked against the file and the limits before any data is read. */
    @Test
    void headerSizesAreCheckedBeforeReading() throws IOException {
        // 65536^3 = 2^48 values: the product is refused, not wrapped
        assertMalformed("product.npy", npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 65536), }"),
                "(65536, 65536, 65536) is too large to load");
        // 1000 x 1000 float32 = 4 000 000 bytes announced, none present
        assertMalformed("empty.npy", npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000), }"),
                ": truncated: shape 1000x1000 of <f4 needs 4000000 data bytes, the file has 0");
        // a version 2.0 header length of 4 GB
        byte[] v2 = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xf0, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertMalformed("header4g.npy", v2, ": the .npy header announces 4294967280 bytes; an array's header is a short "
                + "Python dict (NumPy writes at most 10000)");
    }

    /**
     * A .npz member whose header announces 3 values followed by 50 MB of zeros (deflating to a few kB: a zip bomb
     * in small) gives its 3 values; one that announces 1000 x 1000 but holds less is refused as truncated.
     */
    @Test
    void npzMembersAreReadOnlyAsFarAsTheirHeaderAnnounces() throws IOException {
        Path archive = tmp.resolve("bomb.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
            zip.putNextEntry(new ZipEntry("small.npy"));
            zip.write(npyHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"));
            zip.write(new byte[] {1, 2, 3});
            zip.write(new byte[50_000_000]);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("big.npy"));
            zip.write(npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000), }"));
            zip.write(new byte[1000]);
            zip.closeEntry();
        }
        assertTrue(Files.size(archive) < 200_000, "the test archive is small: " + Files.size(archive));
        try (Npz npz = Npz.open(archive)) {
            assertBlob(npz.read("small"), new int[] {3}, 1, 2, 3);
            ModelException e = assertThrows(ModelException.class, () -> npz.read("big"));
            assertEquals(archive + ":big.npy: truncated: shape 1000x1000 of <f4 needs 4000000 data bytes, the file has "
                    + "1000", e.getMessage());
        }
    }

    private void assertMalformed(String name, byte[] content, String expected) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, content);
        ModelException e = assertThrows(ModelException.class, () -> Npy.read(file), name);
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void npzMembersStoredOrDeflated() {
        for (String name : List.of("stored.npz", "deflated.npz")) {
            try (Npz npz = Npz.open(FIXTURES.resolve(name))) {
                assertEquals(List.of("a", "b"), npz.keys(), name);
                assertBlob(npz.read("a"), new int[] {2, 2}, 1, 2, 3, 4);
                assertBlob(npz.read("b"), new int[] {3}, 9, 8, 7);
                ModelException e = assertThrows(ModelException.class, () -> npz.read("c"));
                assertTrue(e.getMessage().contains(name) && e.getMessage().contains("c.npy"), e.getMessage());
            }
        }
    }

    @Test
    void npzThatIsNotAZipIsNamed() {
        Path notZip = FIXTURES.resolve("f4_3.npy");
        ModelException e = assertThrows(ModelException.class, () -> Npz.open(notZip));
        assertTrue(e.getMessage().startsWith(notZip.toString()), e.getMessage());
    }

    /** Shapes and value ranges of the reference inputs, as each model's README states them. */
    @ParameterizedTest
    @EnumSource(Model.class)
    void readsTheReferenceInputs(Model model) {
        Blob input = Npy.read(model.reference("input.npy"));
        float[] minMax = minMax(input.data());
        switch (model) {
            case LENET -> assertInput(input, minMax, new int[] {1, 1, 28, 28}, 0f, 0.996094f);
            case CIFAR10_QUICK, CIFAR10_FULL, RESNET20 ->
                    assertInput(input, minMax, new int[] {1, 3, 32, 32}, -86.5148f, 133.7f);
            case SQUEEZENET -> assertInput(input, minMax, new int[] {1, 3, 227, 227}, -123f, 151f);
            case YUFACE -> assertInput(input, minMax, new int[] {1, 3, 240, 320}, -123f, 148f);
        }
    }

    /** Every per-layer .npy of LeNet agrees with the shape, min, max and mean in layers.tsv. */
    @Test
    void readsLenetLayerFilesLikeLayersTsv() throws IOException {
        Path tsv = Model.LENET.reference("layers.tsv");
        List<String> rows = Files.readAllLines(tsv);
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t");
            assertMatchesTsv(Npy.read(tsv.resolveSibling("layers/" + f[2] + ".npy")), f);
        }
    }

    /** Members of SqueezeNet's 30 MB layers.npz, read one at a time, agree with layers.tsv. */
    @Test
    void readsSqueezenetNpzMembersLikeLayersTsv() throws IOException {
        Path tsv = Model.SQUEEZENET.reference("layers.tsv");
        List<String> rows = Files.readAllLines(tsv);
        try (Npz npz = Npz.open(Model.SQUEEZENET.reference("layers.npz"))) {
            assertEquals(rows.size() - 1, npz.keys().size());
            for (int index : new int[] {1, 9, rows.size() - 1}) { // conv1, a fire/... layer, pool_final
                String[] f = rows.get(index).split("\t");
                assertTrue(npz.contains(f[2]), f[2]);
                assertMatchesTsv(npz.read(f[2]), f);
            }
        }
    }

    private static void assertMatchesTsv(Blob blob, String[] f) {
        String key = f[2];
        assertEquals(f[8], Blob.describe(blob.shape()), key);
        float[] minMax = minMax(blob.data());
        assertEquals(Double.parseDouble(f[9]), minMax[0], 1e-6 * Math.max(1, Math.abs(minMax[0])), key + " min");
        assertEquals(Double.parseDouble(f[10]), minMax[1], 1e-6 * Math.max(1, Math.abs(minMax[1])), key + " max");
        double sum = 0;
        for (float v : blob.data()) {
            sum += v;
        }
        double mean = sum / blob.count();
        assertEquals(Double.parseDouble(f[11]), mean, 1e-5 * Math.max(1, Math.abs(mean)), key + " mean");
    }

    private static void assertInput(Blob input, float[] minMax, int[] shape, float min, float max) {
        assertArrayEquals(shape, input.shape());
        // the READMEs print 6 significant digits
        assertEquals(min, minMax[0], 1e-5 * Math.max(1, Math.abs(min)));
        assertEquals(max, minMax[1], 1e-5 * Math.max(1, Math.abs(max)));
    }

    private static float[] minMax(float[] data) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }

    private static void assertBlob(Blob blob, int[] shape, float... values) {
        assertArrayEquals(shape, blob.shape());
        assertArrayEquals(values, blob.data());
    }
}
