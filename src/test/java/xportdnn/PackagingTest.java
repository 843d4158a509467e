package xportdnn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the README says about packaging matches the build: the dist jar's name, and no second test run. */
class PackagingTest {

    private static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }

    @Test
    void readmeNamesTheJarTheDistProfileMakes() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        String artifact = first(pom, "</modelVersion>.*?<artifactId>([^<]+)</artifactId>");
        String version = first(pom, "<artifactId>" + Pattern.quote(artifact) + "</artifactId>\\s*<version>([^<]+)"
                + "</version>");
        String classifier = first(pom, "<shadedClassifierName>([^<]+)</shadedClassifierName>");
        String jar = "target/" + artifact + "-" + version + "-" + classifier + ".jar";
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("`" + jar + "`"), jar + " in README.md");
        assertTrue(readme.contains("java -jar " + jar), "java -jar " + jar + " in README.md");
        String dist = first(pom, "<id>dist</id>(.*?)</profile>");
        assertTrue(dist.contains("<skipTests>true</skipTests>"), "the dist profile does not re-run the tests");
    }
}
