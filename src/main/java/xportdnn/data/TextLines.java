package xportdnn.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import xportdnn.model.ModelException;

/**
 * The lines of a text file the user wrote (an image list, class names) as UTF-8, without a leading byte order
 * mark (Windows Notepad writes one). A byte that is not UTF-8 (a list
 * saved as Latin-1 or Windows-1252, with an accented file name) fails naming the file and line, rather than in
 * Java's words ("input length = 1") or as a file name with U+FFFD in it that no file has.
 */
public final class TextLines {

    private TextLines() {
    }

    public static List<String> utf8(String file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            if (binary(bytes)) {
                throw new ModelException(file + ": binary data, not a text file");
            }
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new ModelException(file + ":" + line + ": not UTF-8 text (byte 0x"
                    + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + "); save the file as UTF-8");
        }
        decoder.flush(out);
        String text = out.flip().toString();
        return (text.startsWith("\uFEFF") ? text.substring(1) : text).lines().toList();
    }

    /** Whether {@code bytes} are no text in any encoding: gzipped, or with a NUL byte (an IDX file, a picture). */
    private static boolean binary(byte[] bytes) {
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            return true;
        }
        for (byte b : bytes) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }
}
