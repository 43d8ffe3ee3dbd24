package dev.tuneloop.local.crash;

import dev.tuneloop.platform.embedded.EmbeddedKafka;
import java.nio.file.Path;

/**
 * {@code BrokerMain LOG_DIR PORT}: the platform's embedded KRaft broker in a JVM of its own, so a
 * test can SIGKILL it. Prints {@link #READY} once it listens, then runs until killed.
 */
public final class BrokerMain {
  static final String READY = "broker ready";

  private BrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]));
    System.out.println(READY + " at " + kafka.bootstrapServers());
    Thread.currentThread().join(); // until SIGKILL (the tests never stop it gracefully)
  }
}
