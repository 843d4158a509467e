package xportdnn.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests (lower-case hex) of files and texts, to tell later whether a file is still the one recorded. */
public final class FileDigest {

    private FileDigest() {
    }

    public static String of(Path file) {
        MessageDigest sha = sha256();
        update(sha, file);
        return HexFormat.of().formatHex(sha.digest());
    }

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes(bytes));
    }

    /** The raw 32 bytes of the SHA-256 of {@code bytes}. */
    public static byte[] bytes(byte[] bytes) {
        return sha256().digest(bytes);
    }

    public static String ofText(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Feeds the whole of {@code file} into {@code digest} (several files can make one digest). */
    public static void update(MessageDigest digest, Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw IoErrors.cannot("read", file, e);
        }
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
