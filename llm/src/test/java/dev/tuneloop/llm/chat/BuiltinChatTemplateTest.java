package dev.tuneloop.llm.chat;

import static dev.tuneloop.llm.chat.ChatAssertions.supervisedRuns;
import static dev.tuneloop.llm.chat.ChatMessage.assistant;
import static dev.tuneloop.llm.chat.ChatMessage.system;
import static dev.tuneloop.llm.chat.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinChatTemplateTest {

  private static final Llama2cTokenizer TOK = Llama2cTokenizer.stories260K();
  private static final List<ChatMessage> ONE_TURN =
      List.of(system("Be kind."), user("Hi"), assistant("Hello there."));
  private static final List<ChatMessage> TWO_TURNS =
      List.of(
          user("Tell me a story."),
          assistant("Once upon a time."),
          user("More!"),
          assistant("The end."));

  @Test
  void chatMlWritesImStartAndImEndAroundEveryMessage() {
    ChatTemplate chatml = ChatTemplates.named("chatml");
    assertThat(chatml.render(ONE_TURN, false))
        .isEqualTo(
            "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello there.<|im_end|>\n");
    assertThat(chatml.render(List.of(user("Hi")), true))
        .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void llama2PutsTheSystemMessageInsideTheFirstInstruction() {
    ChatTemplate llama2 = ChatTemplates.named("llama2");
    assertThat(llama2.render(ONE_TURN, false))
        .isEqualTo("<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nHi [/INST] Hello there. </s>");
    assertThat(llama2.render(TWO_TURNS.subList(0, 3), true))
        .isEqualTo(
            "<s>[INST] Tell me a story. [/INST] Once upon a time. </s><s>[INST] More! [/INST]");
  }

  @Test
  void alpacaWritesInstructionAndResponseHeadings() {
    ChatTemplate alpaca = ChatTemplates.named("alpaca");
    assertThat(alpaca.render(ONE_TURN, false))
        .isEqualTo("Be kind.\n\n### Instruction:\nHi\n\n### Response:\nHello there.</s>\n\n");
    assertThat(alpaca.render(List.of(user("Hi")), true))
        .isEqualTo("### Instruction:\nHi\n\n### Response:\n");
  }

  @Test
  void onlyAssistantContentAndItsEndMarkerAreSupervised() {
    assertThat(
            supervisedRuns(
                ChatTemplates.named("chatml").tokenizeForTraining(ONE_TURN, TOK, false), TOK))
        .containsExactly("Hello there.<|im_end|>");
    assertThat(
            supervisedRuns(
                ChatTemplates.named("llama2").tokenizeForTraining(ONE_TURN, TOK, false), TOK))
        .containsExactly(" Hello there. </s>");
    assertThat(
            supervisedRuns(
                ChatTemplates.named("alpaca").tokenizeForTraining(ONE_TURN, TOK, false), TOK))
        .containsExactly("Hello there.</s>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chatml", "llama2", "alpaca"})
  void everyAssistantTurnOfAMultiTurnChatIsSupervised(String name) {
    TokenizedChat chat = ChatTemplates.named(name).tokenizeForTraining(TWO_TURNS, TOK, false);
    List<String> runs = supervisedRuns(chat, TOK);
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0)).contains("Once upon a time.").doesNotContain("story", "More");
    assertThat(runs.get(1)).contains("The end.").doesNotContain("More");
  }

  @ParameterizedTest
  @ValueSource(strings = {"chatml", "llama2", "alpaca"})
  void trainOnInputsSupervisesEverything(String name) {
    TokenizedChat chat = ChatTemplates.named(name).tokenizeForTraining(TWO_TURNS, TOK, true);
    assertThat(chat.supervisedCount()).isEqualTo(chat.length());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chatml", "llama2", "alpaca"})
  void sequencesStartWithExactlyOneBos(String name) {
    TokenizedChat chat = ChatTemplates.named(name).tokenizeForTraining(TWO_TURNS, TOK, false);
    assertThat(chat.tokens()[0]).isEqualTo(TOK.bosId());
    assertThat(chat.tokens()[1]).isNotEqualTo(TOK.bosId());
    assertThat(chat.supervised()[0]).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"chatml", "llama2", "alpaca"})
  void thePromptServedIsThePrefixTrainedOn(String name) {
    ChatTemplate template = ChatTemplates.named(name);
    int[] training = template.tokenizeForTraining(TWO_TURNS, TOK, false).tokens();
    int[] prompt = template.tokenizePrompt(TWO_TURNS.subList(0, 3), TOK);
    assertThat(Arrays.copyOf(training, prompt.length)).containsExactly(prompt);
    assertThat(template.tokenizeForTraining(TWO_TURNS, TOK, false).supervised()[prompt.length])
        .isTrue();
  }

  @Test
  void theEndMarkerIsTheModelsEosToken() {
    TokenizedChat chat = ChatTemplates.named("alpaca").tokenizeForTraining(ONE_TURN, TOK, false);
    int eosAt = Arrays.stream(chat.tokens()).boxed().toList().indexOf(TOK.eosId());
    assertThat(eosAt).isPositive();
    assertThat(chat.supervised()[eosAt]).isTrue();
  }

  @Test
  void aConversationWithoutAnAssistantTurnHasNothingSupervised() {
    assertThat(
            ChatTemplates.named("chatml")
                .tokenizeForTraining(List.of(user("Hi")), TOK, false)
                .supervisedCount())
        .isZero();
  }

  @Test
  void llama2AndAlpacaRefuseTurnsOutOfOrder() {
    List<ChatMessage> twoUsers = List.of(user("a"), user("b"));
    assertThatThrownBy(() -> ChatTemplates.named("llama2").render(twoUsers, true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("llama2")
        .hasMessageContaining("message 1 is user");
    assertThatThrownBy(() -> ChatTemplates.named("alpaca").render(List.of(assistant("x")), false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("message 0 is assistant");
  }

  @Test
  void unknownNameListsTheBuiltIns() {
    assertThatThrownBy(() -> ChatTemplates.named("vicuna"))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("vicuna")
        .hasMessageContaining("chatml, llama2, alpaca");
  }
}
