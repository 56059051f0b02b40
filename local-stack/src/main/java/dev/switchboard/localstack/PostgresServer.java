package dev.switchboard.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PostgreSQL 17 with trust authentication on 127.0.0.1 and one database per service. */
final class PostgresServer implements LocalServer {
    private final StackProfile profile;
    private final Path binDir;
    private final Path home;
    private final Path watchdog;
    private ServerProcess process;

    PostgresServer(StackProfile profile, Path binDir, Path home, Path watchdog) {
        this.profile = profile;
        this.binDir = binDir;
        this.home = home;
        this.watchdog = watchdog;
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }


    @Override
    public void start() {
        Path data = home.resolve("data");
        Path log = home.resolve("postgres.log");
        try {
            Files.createDirectories(home);
        } catch (java.io.IOException e) {
            throw new StackException("cannot create " + home + ": " + e.getMessage(), e);
        }
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            List<String> initdb = asServerUser(List.of(binDir.resolve("initdb").toString(),
                    "-D", data.toString(), "-U", StackProfile.DB_USER, "-A", "trust", "-E", "UTF8",
                    "--locale=C", "--no-sync"));
            ServerProcess.runToCompletion("initdb", initdb, home, log, 120);
        }
        List<String> command = asServerUser(List.of(binDir.resolve("postgres").toString(),
                "-D", data.toString(),
                "-p", Integer.toString(profile.postgresPort),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=" + home,
                "-c", "max_connections=300",
                // Quick, and still crash-safe for the process (what fault tests do to it: kill -9): a commit is
                // written to the OS before it is acknowledged, only an OS crash could lose it. Never
                // synchronous_commit=off: it acknowledges commits a killed server then loses (issue 11).
                "-c", "fsync=off",
                "-c", "full_page_writes=off"));
        process = ServerProcess.start(name(), watchdog, command, home, log, Map.of("STOP_SIGNAL", "INT"));
    }

    /** PostgreSQL refuses to run as root; in a user namespace it runs as an unprivileged user (as zonky does). */
    private static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>();
        wrapped.add("unshare");
        wrapped.add("-U");
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    @Override
    public void awaitReady(Instant deadline) {
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            process.checkAlive();
            try (Connection ignored = connect("postgres")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            LocalServer.pause(100);
        }
        throw new StackException("PostgreSQL did not accept connections on port " + profile.postgresPort + " in time ("
                + (last == null ? "no attempt" : last.getMessage()) + "). End of " + process.logFile() + ":\n"
                + ServerProcess.tail(process.logFile(), 20));
    }

    @Override
    public void provision() {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            for (String db : StackProfile.DATABASES) {
                try (ResultSet rs = st.executeQuery("select 1 from pg_database where datname = '" + db + "'")) {
                    if (!rs.next()) {
                        st.execute("create database " + db);
                    }
                }
            }
        } catch (SQLException e) {
            throw new StackException("could not create the service databases: " + e.getMessage(), e);
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(profile.jdbcUrl(database), StackProfile.DB_USER, "");
    }

    @Override
    public void signal(String signal) {
        if (process != null) {
            process.signal(signal);
        }
    }

    @Override
    public void kill() {
        if (process != null) {
            process.kill();
        }
    }

    @Override
    public void stop() {
        if (process != null) {
            process.stop(30);
        }
    }
}
