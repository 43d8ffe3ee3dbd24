package dev.tuneloop.llm.generate;

/** Receives generated text as it is produced. */
@FunctionalInterface
public interface TokenListener {

  TokenListener NONE = (tokenId, text) -> {};

  /**
   * Called once per generated token, and once more with {@code tokenId = -1} if held-back text
   * remains at the end. {@code text} is the newly released text: it may be empty, because text that
   * could be the start of a stop sequence (or an incomplete UTF-8 character) is held back until it
   * is known not to be. All texts together equal {@link GenerationResult#text()}.
   */
  void onToken(int tokenId, String text);
}
