package dev.tuneloop.local.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.RejectedExample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curation-service SIGKILLed while it works through 10,000 records of examples.raw: the restarted
 * process decides every record exactly once (curated or rejected, never both, never twice, none
 * lost), as read_committed readers see it.
 */
class CurationCrashTest {
  private static final int TOTAL = 10_000;
  private static final Map<String, String> CURATION =
      Map.of("curation.defaults.retrain.enabled", "false"); // no training jobs in this test

  @Test
  void killedMidStreamItDecidesEveryRecordExactlyOnceAfterRestart(@TempDir Path dir)
      throws Exception {
    try (CrashCluster cluster = CrashCluster.embedded(dir.toAbsolutePath())) {
      cluster.start("curation", CURATION); // creates the topics, then waits for records
      Set<String> sent = produceMixed(cluster, TOTAL);

      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> decidedIds(cluster).size() >= 1_500);
      assertThat(cluster.kill("curation")).isEqualTo(137); // SIGKILL
      int beforeRestart = decidedIds(cluster).size();
      assertThat(beforeRestart).as("killed mid-stream").isLessThan(TOTAL);

      cluster.start("curation", CURATION);
      await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> decidedIds(cluster).size() >= TOTAL);

      List<String> decided = decidedIds(cluster);
      assertThat(decided).hasSize(TOTAL).doesNotHaveDuplicates();
      assertThat(new HashSet<>(decided)).isEqualTo(sent);
      System.out.printf(
          "curation crash: %d of %d decided before the SIGKILL, all %d exactly once after%n",
          beforeRestart, TOTAL, TOTAL);
    }
  }

  /** The example ids on examples.curated and examples.rejected, committed ones only, in order. */
  private static List<String> decidedIds(CrashCluster cluster) {
    List<String> ids = new ArrayList<>();
    TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_CURATED, CuratedExample.parser())
        .forEach(c -> ids.add(c.getExample().getId()));
    TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_REJECTED, RejectedExample.parser())
        .forEach(r -> ids.add(r.getExample().getId()));
    return ids;
  }

  /**
   * Clean pairs with some that curation must reject: exact copies of earlier content under a new id
   * (so the restarted process must remember what it curated before the crash), refusals and blank
   * answers.
   */
  private static Set<String> produceMixed(CrashCluster cluster, int total) {
    Random random = new Random(7);
    List<PromptResponse> clean = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try (var producer =
        new KafkaProducer<String, MessageLite>(
            cluster.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<>())) {
      for (int i = 0; i < total; i++) {
        String dataset = "ds" + (i % 4);
        int roll = random.nextInt(100);
        PromptResponse pair;
        if (roll < 8 && !clean.isEmpty()) {
          pair = clean.get(random.nextInt(clean.size())); // EXACT_DUPLICATE (or NEAR_DUPLICATE)
        } else if (roll < 12) {
          pair = pair("Can you " + words(random, 7), "As an AI language model I cannot help.");
        } else if (roll < 15) {
          pair = pair("Help with " + words(random, 6), "  ");
        } else {
          pair = pair("Question about " + words(random, 8), "Do this: " + words(random, 14));
          clean.add(pair);
        }
        Example example =
            Example.newBuilder()
                .setId("ex-" + i)
                .setTenant("acme")
                .setDataset(dataset)
                .setFormat("pair")
                .setPair(pair)
                .build();
        ids.add(example.getId());
        producer.send(
            new ProducerRecord<>(Topics.EXAMPLES_RAW, Topics.datasetKey("acme", dataset), example));
      }
      producer.flush();
    }
    return ids;
  }

  private static PromptResponse pair(String prompt, String response) {
    return PromptResponse.newBuilder().setPrompt(prompt).setResponse(response).build();
  }

  private static final String[] WORDS =
      ("order refund invoice password account delivery parcel router firmware battery screen"
              + " warranty subscription plan upgrade cancel address payment card bank login email"
              + " reset update install driver printer network signal speed billing receipt return")
          .split(" ");

  private static String words(Random random, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++)
      s.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    return s.append('.').toString();
  }
}
