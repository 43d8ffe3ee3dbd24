package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.Example;
import java.util.concurrent.CompletableFuture;

/**
 * Test-only failpoint ({@value #SETTING}, off by default): halts the JVM the moment Kafka has
 * acknowledged a record, before the caller is answered. It puts a crash at the one point where a
 * client cannot know whether its example was kept, so the crash tests can show that the client's
 * retry with the same idempotency key still writes it once. Never enable it in a deployment.
 */
public final class HaltAfterAck implements RawPublisher {

  public static final String SETTING = "tuneloop.ingest.failpoint.halt-after-ack";

  /** The exit code a SIGKILLed JVM reports, so the tests see a crash either way. */
  static final int EXIT_CODE = 137;

  private final RawPublisher delegate;

  private HaltAfterAck(RawPublisher delegate) {
    this.delegate = delegate;
  }

  /** {@code publisher} itself unless the failpoint is on. */
  public static RawPublisher wrapIf(boolean enabled, RawPublisher publisher) {
    return enabled ? new HaltAfterAck(publisher) : publisher;
  }

  @Override
  public CompletableFuture<Void> publish(Example example) {
    return delegate
        .publish(example)
        .thenRun(
            () -> {
              System.err.println(
                  "failpoint " + SETTING + ": Kafka acknowledged " + example.getId() + "; halting");
              Runtime.getRuntime().halt(EXIT_CODE);
            });
  }
}
