package xportdnn.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --spark spark://127.0.0.1:PORT} on a real standalone cluster: a master and two workers, each a separate
 * JVM started here from the test classpath, so that the tasks, the broadcast net and the results cross process
 * boundaries serialized. The same bytes out as one machine ({@link SparkCliTest#sameAsOneMachine}).
 */
class SparkClusterTest {

    /** The settings the driver (this JVM) reads from system properties; cleared after. */
    private static final Map<String, String> DRIVER = Map.of("spark.driver.host", "127.0.0.1",
            "spark.driver.bindAddress", "127.0.0.1", "spark.executor.memory", "512m", "spark.executor.cores", "1");

    private static final List<Process> processes = new ArrayList<>();
    private static String master;

    @TempDir
    static Path cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        String classpath = System.getProperty("java.class.path");
        // A worker builds each executor's command from SPARK_HOME's jars: an empty folder, the classes come from
        // spark.executor.extraClassPath (this test's classpath).
        Path sparkHome = Files.createDirectories(cluster.resolve("spark-home/jars")).getParent();
        int port = freePort();
        int webPort = freePort();
        start("master", classpath, sparkHome, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(webPort));
        master = "spark://127.0.0.1:" + port;
        for (int i = 0; i < 2; i++) {
            start("worker" + i, classpath, sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "768m", "--webui-port", Integer.toString(freePort()), "--work-dir",
                    Files.createDirectories(cluster.resolve("work" + i)).toString(), master);
        }
        awaitWorkers(webPort, 2);
        DRIVER.forEach(System::setProperty);
        System.setProperty("spark.executor.extraClassPath", classpath);
    }

    private static void start(String name, String classpath, Path sparkHome, String main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-cp", classpath, main));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(cluster.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        processes.add(pb.start());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Waits (at most two minutes) until the master's status page counts {@code n} live workers. */
    private static void awaitWorkers(int webPort, int n) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    fail("a cluster process ended: " + Files.readString(cluster.resolve("master.log")));
                }
            }
            try {
                String json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/json/"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                if (json.replace(" ", "").contains("\"aliveworkers\":" + n)) {
                    return;
                }
            } catch (IOException notYet) {
                // the master is still starting
            }
            Thread.sleep(500);
        }
        fail("the workers did not register with the master in two minutes");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        DRIVER.keySet().forEach(System::clearProperty);
        System.clearProperty("spark.executor.extraClassPath");
        // workers first (and the executors they started), then the master
        for (Process p : reversed(processes)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static List<Process> reversed(List<Process> list) {
        List<Process> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }

    @Test
    void aStandaloneClusterGivesTheSamePrototxtStatisticsAndScores() throws Exception {
        SparkCliTest.sameAsOneMachine(dir, master);
        assertTrue(Files.list(cluster.resolve("work0")).findAny().isPresent()
                        && Files.list(cluster.resolve("work1")).findAny().isPresent(),
                "both workers ran executors");
    }
}
