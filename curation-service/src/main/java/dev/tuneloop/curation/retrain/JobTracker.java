package dev.tuneloop.curation.retrain;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows training.events from the beginning (no group: every instance needs the whole history)
 * into the planner.
 */
public final class JobTracker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JobTracker.class);

  private final KafkaConsumer<String, Decoded<TrainingJobEvent>> consumer;
  private final String topic;
  private final RetrainPlanner planner;
  private final Thread thread;
  private volatile boolean running = true;

  public JobTracker(KafkaSettings kafka, String topic, RetrainPlanner planner) {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.clientIdPrefix() + "-job-tracker");
    this.consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(TrainingJobEvent.parser()));
    this.topic = topic;
    this.planner = planner;
    this.thread = Thread.ofPlatform().name("curation-job-tracker").daemon().unstarted(this::run);
  }

  public JobTracker start() {
    thread.start();
    return this;
  }

  private void run() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (running) {
        for (ConsumerRecord<String, Decoded<TrainingJobEvent>> r :
            consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().isValid()) {
            planner.jobEvent(r.value().value().getJobId(), r.value().value().getState());
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("job tracker on {} stopped: {}", topic, e.toString(), e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(10_000);
  }
}
