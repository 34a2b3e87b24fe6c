package searchkit.opensearch;

import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one real OpenSearch node in this JVM, built from the Maven Central jars (no tarball, no Docker).
 *
 * <pre>java -cp target/classes:target/lib/* searchkit.opensearch.OpenSearchLauncher NODE_HOME [key=value ...]</pre>
 *
 * Settings come from NODE_HOME/config/opensearch.yml; key=value arguments override them.
 * Bootstrap (root refusal, bootstrap checks, JarHell, security manager) is not used: only
 * org.opensearch.bootstrap.OpenSearch runs those, and this class replaces it.
 */
public final class OpenSearchLauncher extends Node {

    /**
     * The distribution's modules/, loaded as classpath plugins. Per entry the first class found wins:
     * 2.x names first, 3.x names ("...ModulePlugin") second. Missing optional ones are skipped.
     */
    private static final String[][] MODULES = {
        { "org.opensearch.transport.Netty4Plugin", "org.opensearch.transport.Netty4ModulePlugin" }, // HTTP + transport
        { "org.opensearch.analysis.common.CommonAnalysisPlugin", "org.opensearch.analysis.common.CommonAnalysisModulePlugin" },
        { "org.opensearch.painless.PainlessPlugin", "org.opensearch.painless.PainlessModulePlugin" },
        { "org.opensearch.index.reindex.ReindexPlugin", "org.opensearch.index.reindex.ReindexModulePlugin" },
        { "org.opensearch.index.mapper.MapperExtrasPlugin", "org.opensearch.index.mapper.MapperExtrasModulePlugin" },
        { "org.opensearch.plugin.analysis.AnalysisPhoneticPlugin" } };

    private OpenSearchLauncher(Environment environment, Collection<Class<? extends Plugin>> plugins) {
        super(environment, plugins, true);
    }

    /** The default stores node and cluster id in a set-once log4j converter; not needed here. */
    @Override
    protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OpenSearchLauncher NODE_HOME [key=value ...]");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath();
        Settings.Builder settings = Settings.builder().put("path.home", home.toString());
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected key=value, got " + args[i]);
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        for (String dir : new String[] { "config", "modules", "plugins" }) {
            Files.createDirectories(home.resolve(dir));
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings.build(), Collections.emptyMap(), home.resolve("config"), () -> "node-0");

        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        for (String[] names : MODULES) {
            Class<? extends Plugin> found = firstPresent(names);
            if (found != null) plugins.add(found);
            else if (names[0].contains("Netty4")) throw new IllegalStateException("transport-netty4-client is not on the classpath");
        }
        System.out.println("[launcher] classpath plugins: " + plugins);

        OpenSearchLauncher node = new OpenSearchLauncher(environment, plugins);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "launcher-shutdown"));
        node.start();
        System.out.println("[launcher] node started: " + home);
        closed.await(); // OpenSearch's own threads are daemons; this keeps the JVM up until SIGTERM
    }

    private static Class<? extends Plugin> firstPresent(String[] names) {
        for (String name : names) {
            try {
                return Class.forName(name).asSubclass(Plugin.class);
            } catch (ClassNotFoundException e) {
                // try the next name
            }
        }
        return null;
    }
}
