package dev.tuneloop.llm.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.Tokenizer;

/**
 * A base model ready to run: weights in native memory, its own tokenizer, and its identity. Owns
 * the root {@link NDManager} everything hangs off; close it to free the native memory.
 */
public record LoadedModel(BaseModelId id, LlamaModel model, Tokenizer tokenizer, NDManager manager)
    implements AutoCloseable {

  public LlamaConfig config() {
    return model.config();
  }

  @Override
  public void close() {
    manager.close();
  }
}
