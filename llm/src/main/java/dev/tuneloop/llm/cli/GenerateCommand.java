package dev.tuneloop.llm.cli;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.Generator;
import dev.tuneloop.llm.generate.SamplingParams;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.PeftAdapters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Streams a continuation (or a chat reply) of a prompt to stdout; usage and speed go to stderr. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate text from a prompt, optionally with a LoRA adapter and the model's chat template.")
final class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--model",
      defaultValue = "builtin:stories260K",
      description =
          "llama2.c .bin, Hugging Face directory, or builtin:stories260K (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(
      names = "--prompt",
      defaultValue = "",
      description = "the prompt text (default: empty, i.e. start from BOS)")
  String prompt;

  @Option(names = "--adapter", description = "a PEFT LoRA adapter directory")
  Path adapter;

  @Option(
      names = "--chat",
      description = "wrap the prompt as a user message in the model's chat template")
  boolean chat;

  @Option(names = "--system", description = "system message (with --chat)")
  String system;

  @Option(
      names = "--template",
      description = "chat template to use instead of the model's: chatml, llama2, alpaca")
  String template;

  @Option(
      names = "--max-tokens",
      defaultValue = "256",
      description = "most tokens to generate (default: ${DEFAULT-VALUE})")
  int maxTokens;

  @Option(
      names = "--temperature",
      defaultValue = "0.8",
      description = "0 = greedy (default: ${DEFAULT-VALUE})")
  float temperature;

  @Option(
      names = "--top-p",
      defaultValue = "0.9",
      description = "nucleus sampling mass (default: ${DEFAULT-VALUE})")
  float topP;

  @Option(
      names = "--top-k",
      defaultValue = "0",
      description = "keep the k most likely tokens, 0 = all (default: ${DEFAULT-VALUE})")
  int topK;

  @Option(
      names = "--repetition-penalty",
      defaultValue = "1.0",
      description = "default: ${DEFAULT-VALUE} (off)")
  float repetitionPenalty;

  @Option(names = "--seed", description = "sampling seed (default: random)")
  Long seed;

  @Option(names = "--stop", description = "stop sequence (repeatable)")
  List<String> stop = new ArrayList<>();

  @Option(names = "--ignore-eos", description = "keep generating after the end-of-sequence token")
  boolean ignoreEos;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LoadedModel loaded = Checkpoints.load(model);
        LoraAdapter lora = adapter == null ? null : PeftAdapters.load(adapter, loaded)) {
      List<String> stops = new ArrayList<>(stop);
      int[] ids = promptIds(loaded, stops);
      SamplingParams params =
          new SamplingParams(
              temperature,
              topK,
              topP,
              repetitionPenalty,
              seed != null ? seed : System.nanoTime(),
              maxTokens,
              stops,
              !ignoreEos);
      if (!chat) {
        out.print(prompt); // a continuation reads best after its prompt
      }
      long start = System.nanoTime();
      GenerationResult result =
          new Generator(loaded)
              .generate(
                  ids,
                  params,
                  lora == null ? LoraSet.NONE : lora,
                  (id, text) -> {
                    out.print(text);
                    out.flush();
                  });
      double seconds = (System.nanoTime() - start) / 1e9;
      out.println();
      out.flush();
      err.printf(
          Locale.ROOT,
          "[%s: %d prompt + %d generated tokens, %.1f tok/s]%n",
          result.finishReason(),
          result.usage().promptTokens(),
          result.usage().completionTokens(),
          result.usage().completionTokens() / seconds);
      return 0;
    }
  }

  private int[] promptIds(LoadedModel loaded, List<String> stops) throws IOException {
    if (!chat) {
      int[] text = loaded.tokenizer().encode(prompt);
      if (!loaded.tokenizer().addsBos()) {
        return text;
      }
      int[] ids = new int[text.length + 1];
      ids[0] = loaded.tokenizer().bosId();
      System.arraycopy(text, 0, ids, 1, text.length);
      return ids;
    }
    ChatTemplate chatTemplate =
        template != null
            ? ChatTemplates.named(template)
            : Files.isDirectory(model)
                ? ChatTemplates.forModel(model, loaded.tokenizer())
                : ChatTemplates.defaultFor(loaded.tokenizer());
    stops.addAll(chatTemplate.stopSequences());
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null) {
      messages.add(ChatMessage.system(system));
    }
    messages.add(ChatMessage.user(prompt));
    return chatTemplate.tokenizePrompt(messages, loaded.tokenizer());
  }
}
