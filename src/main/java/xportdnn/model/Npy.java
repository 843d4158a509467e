package xportdnn.model;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} array file: read any C-order array of a plain numeric dtype as a float32 {@link Blob},
 * write a Blob exactly as {@code numpy.save} writes a float32 array. Format: NEP 1 / numpy.lib.format
 * (magic, version 1.0, 2.0 or 3.0, a Python-dict header padded to 64 bytes, then the raw data).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** numpy >= 1.23 leaves room in the header for the first axis to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /** NumPy refuses longer headers by default (numpy.lib.format's max_header_size) and never writes them. */
    private static final int MAX_HEADER = 10_000;
    /** Values decoded per read, so that only the float32 result is held whole, not the raw bytes too. */
    private static final int CHUNK_VALUES = 1 << 16;

    private static final Pattern DESCR = Pattern.compile("(['\"])descr\\1\\s*:\\s*(['\"])([^'\"]*)\\2");
    private static final Pattern FORTRAN = Pattern.compile("(['\"])fortran_order\\1\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("(['\"])shape\\1\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a {@code .npy} file as float32 values. */
    public static Blob read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            return parse(in, Files.size(file), file.toString());
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
    }

    /** True when the bytes start with the {@code .npy} magic string. */
    public static boolean isNpy(byte[] head) {
        return head.length >= MAGIC.length && Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /**
     * Parses a {@code .npy} from {@code in}, {@code size} bytes long ({@code -1}: unknown, as for a compressed
     * {@code .npz} member); {@code source} names it in error messages (a path, or {@code archive.npz:member.npy}).
     * The header is checked against the size and the heap before the data is read, and the data is read only as far
     * as the header announces: a hostile header or a zip bomb cannot make it allocate more than its shape needs.
     */
    static Blob parse(InputStream in, long size, String source) throws IOException {
        byte[] start = in.readNBytes(10);
        if (!isNpy(start)) {
            throw new ModelException(source + ": not a .npy file (no \\x93NUMPY magic at the start)");
        }
        if (start.length < 10) {
            throw new ModelException(source + ": truncated .npy header");
        }
        int major = start[6] & 0xff;
        int minor = start[7] & 0xff;
        long headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = ByteBuffer.wrap(start, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            byte[] length = Arrays.copyOfRange(start, 8, 12);
            if (in.readNBytes(length, 2, 2) < 2) {
                throw new ModelException(source + ": truncated .npy header");
            }
            headerLength = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new ModelException(source + ": unsupported .npy format version " + major + "." + minor
                    + " (known: 1.0, 2.0, 3.0)");
        }
        if (headerLength > MAX_HEADER) {
            throw new ModelException(source + ": the .npy header announces " + headerLength + " bytes; an array's "
                    + "header is a short Python dict (NumPy writes at most " + MAX_HEADER + ")");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new ModelException(source + ": truncated .npy header (" + headerLength + " bytes announced, "
                    + headerBytes.length + " present)");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                .trim();
        long dataStart = headerStart + headerLength;

        Dtype dtype = Dtype.parse(field(DESCR, header, "descr", source, 3), source);
        boolean fortran = field(FORTRAN, header, "fortran_order", source, 2).equals("True");
        int[] shape = parseShape(field(SHAPE, header, "shape", source, 2), source);
        if (fortran && shape.length > 1) {
            throw new ModelException(source + ": Fortran-order array (fortran_order: True) is not supported; "
                    + "save it in C order, e.g. numpy.save(f, numpy.ascontiguousarray(a))");
        }
        long count = Blob.count(shape); // parseShape keeps it below 2^31
        long needed = count * dtype.size;
        String announced = "shape " + Blob.describe(shape) + " of " + dtype.descr + " needs " + needed + " data bytes";
        if (size >= 0 && size - dataStart < needed) {
            throw new ModelException(source + ": truncated: " + announced + ", the file has " + (size - dataStart));
        }
        HeapBudget.require(source, "the array (" + announced + ", as float32)", count * (double) Float.BYTES, "");
        float[] data = new float[(int) count];
        byte[] chunk = new byte[CHUNK_VALUES * dtype.size];
        for (int done = 0; done < count; ) {
            int n = (int) Math.min(count - done, CHUNK_VALUES);
            int got = in.readNBytes(chunk, 0, n * dtype.size);
            if (got < n * dtype.size) {
                throw new ModelException(source + ": truncated: " + announced + ", it has "
                        + ((long) done * dtype.size + got));
            }
            dtype.decode(ByteBuffer.wrap(chunk, 0, got).order(dtype.order), data, done, n);
            done += n;
        }
        return new Blob(shape, data);
    }

    private static String field(Pattern pattern, String header, String key, String source, int group) {
        Matcher m = pattern.matcher(header);
        if (!header.startsWith("{") || !m.find()) {
            throw new ModelException(source + ": malformed .npy header (no '" + key + "' entry): " + header);
        }
        return m.group(group);
    }

    private static int[] parseShape(String text, String source) {
        String[] parts = text.split(",");
        int[] shape = new int[parts.length];
        int n = 0;
        long count = 1;
        for (String part : parts) {
            String p = part.trim();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1); // Python 2 numpy wrote long ints as 3L
            }
            if (p.isEmpty()) {
                continue;
            }
            int d;
            try {
                d = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                d = -1;
            }
            if (d < 0) {
                throw new ModelException(source + ": malformed .npy shape (" + text + ")");
            }
            count *= d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new ModelException(source + ": array of shape (" + text + ") is too large to load");
            }
            shape[n++] = d;
        }
        return Arrays.copyOf(shape, n);
    }

    /** Writes {@code blob} as a float32 little-endian C-order {@code .npy} (version 1.0), like numpy.save. */
    public static void write(Blob blob, Path file) {
        write(blob, file, List.of());
    }

    /** The same, refusing to write over any of {@code inputs} (the files the run read). */
    public static void write(Blob blob, Path file, Collection<Path> inputs) {
        OutputFile.write(file, inputs, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.write(header(blob.shape()));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : blob.data()) {
                if (!chunk.hasRemaining()) {
                    data.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                chunk.putFloat(v);
            }
            data.write(chunk.array(), 0, chunk.position());
            data.flush();
        });
    }

    /** Magic, version 1.0, length and the dict header padded with spaces and a newline to 64 bytes. */
    static byte[] header(int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        dict.append(" ".repeat((ALIGN - unpadded % ALIGN) % ALIGN)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    /** The element types we convert to float32. */
    private record Dtype(String descr, char kind, int size, ByteOrder order) {

        static Dtype parse(String descr, String source) {
            if (descr.length() >= 3 && "<>|=".indexOf(descr.charAt(0)) >= 0) {
                char kind = descr.charAt(1);
                int size;
                try {
                    size = Integer.parseInt(descr.substring(2));
                } catch (NumberFormatException e) {
                    size = -1;
                }
                ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                boolean known = switch (kind) {
                    case 'f' -> size == 4 || size == 8;
                    case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
                    case 'b' -> size == 1;
                    default -> false;
                };
                if (known) {
                    return new Dtype(descr, kind, size, order);
                }
            }
            throw new ModelException(source + ": unsupported dtype '" + descr
                    + "' (supported: float32/64, int8-64, uint8-64, bool)");
        }

        /** Decodes {@code n} values from {@code in} into {@code out[from, from + n)}. */
        void decode(ByteBuffer in, float[] out, int from, int n) {
            int end = from + n;
            switch (kind) {
                case 'f' -> {
                    if (size == 4) {
                        in.asFloatBuffer().get(out, from, n);
                    } else {
                        for (int i = from; i < end; i++) {
                            out[i] = (float) in.getDouble();
                        }
                    }
                }
                case 'i' -> {
                    for (int i = from; i < end; i++) {
                        out[i] = switch (size) {
                            case 1 -> in.get();
                            case 2 -> in.getShort();
                            case 4 -> in.getInt();
                            default -> in.getLong();
                        };
                    }
                }
                default -> { // 'u' and 'b'
                    for (int i = from; i < end; i++) {
                        out[i] = switch (size) {
                            case 1 -> in.get() & 0xff;
                            case 2 -> in.getShort() & 0xffff;
                            case 4 -> in.getInt() & 0xffffffffL;
                            default -> unsignedToFloat(in.getLong());
                        };
                    }
                }
            }
        }

        private static float unsignedToFloat(long v) {
            return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2f;
        }
    }
}
