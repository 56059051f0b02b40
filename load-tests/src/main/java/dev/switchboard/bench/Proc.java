package dev.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

import dev.switchboard.localstack.KafkaMain;

/** CPU time and resident memory of a process, from /proc (Linux). */
final class Proc {
    /** Clock ticks per second of /proc/pid/stat (USER_HZ; 100 on Linux/x86). */
    private static final double HZ = 100.0;

    private Proc() {
    }

    /** User + system CPU seconds the process has used so far. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0]; utime and stime are fields 14 and 15 of the whole line
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds a JVM's JIT compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}) have used so
     * far; 0 for a process that has none. Compiling during a step means the warm-up did not reach all of its code.
     */
    static double jitSeconds(long pid) {
        double total = 0;
        try (var tasks = Files.list(Paths.get("/proc", String.valueOf(pid), "task"))) {
            for (var task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return total;
    }

    /** CPU seconds the whole machine spent busy (all cores; /proc/stat, everything but idle and iowait). */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / HZ;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * Voluntary context switches of all the process's threads so far: how often one of them went to sleep
     * waiting (for a socket, a lock, a queue) and was woken again, which on a host where a switch costs
     * 10-15 us is the price of each hand-over between threads and processes. Threads that ended are not counted.
     */
    static long voluntarySwitches(long pid) {
        long total = 0;
        try (var tasks = Files.list(Paths.get("/proc", String.valueOf(pid), "task"))) {
            for (var task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return total;
    }

    /** Resident set size in KiB (VmRSS). */
    static long rssKb(long pid) {
        try {
            List<String> lines = Files.readAllLines(Paths.get("/proc", String.valueOf(pid), "status"));
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** A CPU meter over an interval: percent of one core. */
    static final class Meter {
        private final long pid;
        private final double cpu0;
        private final long t0;

        Meter(long pid) {
            this.pid = pid;
            this.cpu0 = cpuSeconds(pid);
            this.t0 = System.nanoTime();
        }

        /** CPU seconds used since the meter was made. */
        double usedSeconds() {
            return Proc.cpuSeconds(pid) - cpu0;
        }

        double percentOfOneCore() {
            double seconds = (System.nanoTime() - t0) / 1e9;
            return 100.0 * (cpuSeconds(pid) - cpu0) / seconds;
        }
    }

    /**
     * CPU of every process whose name ({@code comm}) or one of whose arguments equals a marker (all of
     * PostgreSQL's backends, the Kafka broker's JVM by its main class, redis-server), summed; processes that end
     * during the interval lose their share. A whole argument, not a part of one: the broker's class path names
     * PostgreSQL's driver jar, and was counted as PostgreSQL too.
     */
    static double groupCpuSeconds(String marker) {
        return sumOverGroup(marker, pid -> cpuSeconds(pid));
    }

    /** {@link #voluntarySwitches} summed over a group of processes (see {@link #groupCpuSeconds}). */
    static long groupVoluntarySwitches(String marker) {
        return (long) sumOverGroup(marker, pid -> {
            long switches = voluntarySwitches(pid);
            return switches < 0 ? Double.NaN : switches;
        });
    }

    private static double sumOverGroup(String marker, java.util.function.LongToDoubleFunction measure) {
        double total = 0;
        try (var dirs = Files.list(Paths.get("/proc"))) {
            for (var dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    String comm = Files.readString(dir.resolve("comm")).trim();
                    List<String> args = List.of(new String(Files.readAllBytes(dir.resolve("cmdline")),
                            StandardCharsets.UTF_8).split("\0"));
                    if (inGroup(marker, comm, args)) {
                        double value = measure.applyAsDouble(Long.parseLong(name));
                        if (!Double.isNaN(value)) {
                            total += value;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return total;
    }

    /** Whether a process, by its name and arguments, is one of a group (see {@link #groupCpuSeconds}). */
    static boolean inGroup(String marker, String comm, List<String> args) {
        return comm.equals(marker) || args.contains(marker);
    }

    /** The stack's servers, by what marks their processes (see {@link #groupCpuSeconds}). */
    static final List<Map.Entry<String, String>> SERVERS = List.of(Map.entry("postgresql", "postgres"),
            Map.entry("kafka", KafkaMain.class.getName()), Map.entry("redis", "redis-server"));

    /**
     * CPU seconds over an interval of everything else on the machine that the benchmark knows: the
     * services (by pid), PostgreSQL, Kafka, Redis, and the generator itself.
     */
    static final class Others {
        private final Map<String, DoubleSupplier> used = new LinkedHashMap<>();
        private final Map<String, DoubleSupplier> switches = new LinkedHashMap<>();
        private final Map<String, DoubleSupplier> jit = new LinkedHashMap<>();

        Others(Map<String, Long> services) {
            services.forEach((name, pid) -> {
                Meter meter = new Meter(pid);
                used.put(name, meter::usedSeconds);
                double jit0 = Proc.jitSeconds(pid);
                jit.put(name, () -> Proc.jitSeconds(pid) - jit0);
                long switches0 = voluntarySwitches(pid);
                switches.put(name, () -> voluntarySwitches(pid) - switches0);
            });
            SERVERS.forEach(server -> {
                GroupMeter meter = new GroupMeter(server.getValue());
                used.put(server.getKey(), meter::usedSeconds);
                if (server.getKey().equals("kafka")) {
                    double jit0 = sumOverGroup(server.getValue(), Proc::jitSeconds);
                    jit.put("kafka", () -> sumOverGroup(server.getValue(), Proc::jitSeconds) - jit0);
                }
                long switches0 = groupVoluntarySwitches(server.getValue());
                switches.put(server.getKey(), () -> groupVoluntarySwitches(server.getValue()) - switches0);
            });
            long self = ProcessHandle.current().pid();
            Meter generator = new Meter(self);
            used.put("generator", generator::usedSeconds);
            double jit0 = Proc.jitSeconds(self);
            jit.put("generator", () -> Proc.jitSeconds(self) - jit0);
            long switches0 = voluntarySwitches(self);
            switches.put("generator", () -> voluntarySwitches(self) - switches0);
        }

        /** Each one's voluntary context switches since this was made (see {@link Proc#voluntarySwitches}). */
        Map<String, Double> switches() {
            Map<String, Double> out = new LinkedHashMap<>();
            switches.forEach((name, supplier) -> out.put(name, supplier.getAsDouble()));
            return out;
        }

        /** Each JVM's JIT compiler threads' CPU seconds since this was made (see {@link Proc#jitSeconds}). */
        Map<String, Double> jitSeconds() {
            Map<String, Double> out = new LinkedHashMap<>();
            jit.forEach((name, supplier) -> out.put(name, supplier.getAsDouble()));
            return out;
        }

        /** Each one's CPU seconds since this was made. */
        Map<String, Double> seconds() {
            Map<String, Double> out = new LinkedHashMap<>();
            used.forEach((name, supplier) -> out.put(name, supplier.getAsDouble()));
            return out;
        }
    }

    /** A CPU meter over a group of processes (see {@link #groupCpuSeconds}). */
    static final class GroupMeter {
        private final String marker;
        private final double cpu0;

        GroupMeter(String marker) {
            this.marker = marker;
            this.cpu0 = groupCpuSeconds(marker);
        }

        double usedSeconds() {
            return groupCpuSeconds(marker) - cpu0;
        }
    }

    /** The whole machine's busy CPU over an interval (all cores). */
    static final class MachineMeter {
        private final double busy0 = machineBusySeconds();
        private final long t0 = System.nanoTime();

        /** CPU seconds the machine spent busy since the meter was made. */
        double busySeconds() {
            return machineBusySeconds() - busy0;
        }

        /** Busy share of all cores since the meter was made, in percent. */
        double percentOfAllCores() {
            return 100.0 * busySeconds() / ((System.nanoTime() - t0) / 1e9) / Runtime.getRuntime().availableProcessors();
        }
    }
}
