package xportdnn.model;

/** The tool's name and version, as {@code --version} prints it and as the files it writes record it. */
public final class ToolVersion {

    public static final String TEXT = "xportdnn 0.1.0";

    private ToolVersion() {
    }
}
