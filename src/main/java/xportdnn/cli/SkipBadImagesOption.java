package xportdnn.cli;

import picocli.CommandLine.Option;

/** {@code --skip_bad_images}: an image set's missing or undecodable files are skipped, each with a warning. */
final class SkipBadImagesOption {

    @Option(names = "--skip_bad_images", description = "Skip an image of the set that is missing or does not "
            + "decode, with a one-line warning naming it, and print how many were skipped (also in the JSON); "
            + "without it the first such image stops the run. Every image bad is still an error.")
    boolean skip;
}
