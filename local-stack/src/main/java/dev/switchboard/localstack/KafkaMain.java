package dev.switchboard.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.kafka.common.Uuid;

/**
 * Entry point of the Kafka JVM: formats the KRaft storage on first start (standalone controller),
 * then runs the broker until it is told to stop.
 */
public final class KafkaMain {
    private KafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Paths.get(args[0]);
        Path dataDir = config.resolveSibling("data");
        if (!Files.exists(dataDir.resolve("meta.properties"))) {
            int status = kafka.tools.StorageTool.execute(new String[] {
                    "format", "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString(),
                    "--standalone", "--ignore-formatted"}, System.out);
            if (status != 0) {
                System.err.println("kafka storage format failed with status " + status);
                System.exit(status);
            }
        }
        kafka.Kafka.main(new String[] {config.toString()});
    }
}
