package dev.tuneloop.curation.pipeline;

import dev.tuneloop.llm.tokenizer.EncodedText;
import dev.tuneloop.llm.tokenizer.StreamingDecoder;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real tokenizer, except that the first text containing a marker throws: a fault in the middle
 * of a batch, after earlier records of the batch were already sent inside the open transaction.
 */
final class FailingOnceTokenizer implements Tokenizer {

  private final Tokenizer delegate;
  private final String marker;
  private final AtomicBoolean failed = new AtomicBoolean();

  FailingOnceTokenizer(Tokenizer delegate, String marker) {
    this.delegate = delegate;
    this.marker = marker;
  }

  boolean failed() {
    return failed.get();
  }

  @Override
  public EncodedText encodeWithOffsets(String text) {
    if (text.contains(marker) && failed.compareAndSet(false, true)) {
      throw new IllegalStateException("simulated fault while curating the record with " + marker);
    }
    return delegate.encodeWithOffsets(text);
  }

  @Override
  public String decode(int[] ids) {
    return delegate.decode(ids);
  }

  @Override
  public StreamingDecoder streamingDecoder() {
    return delegate.streamingDecoder();
  }

  @Override
  public int bosId() {
    return delegate.bosId();
  }

  @Override
  public int eosId() {
    return delegate.eosId();
  }

  @Override
  public int vocabSize() {
    return delegate.vocabSize();
  }

  @Override
  public String bosToken() {
    return delegate.bosToken();
  }

  @Override
  public String eosToken() {
    return delegate.eosToken();
  }

  @Override
  public boolean addsBos() {
    return delegate.addsBos();
  }
}
