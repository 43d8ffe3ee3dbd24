package dev.tuneloop.ingest.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Role;
import org.junit.jupiter.api.Test;

class RecordParserTest {

  private final RecordParser parser = new RecordParser();

  @Test
  void pairKeepsPromptResponseAndSystem() {
    ParsedBody body =
        parser.parse(
            """
        {"prompt": "How do I reset my password?", "response": "Open Settings, then Security.", "system": "Be brief."}""",
            InputFormat.PAIR);
    assertThat(body.pair().getPrompt()).isEqualTo("How do I reset my password?");
    assertThat(body.pair().getResponse()).isEqualTo("Open Settings, then Security.");
    assertThat(body.pair().getSystem()).isEqualTo("Be brief.");
    assertThat(body.format()).isEqualTo(InputFormat.PAIR);
  }

  @Test
  void alpacaAppendsInputToInstructionAfterABlankLine() {
    ParsedBody body =
        parser.parse(
            """
        {"instruction": "Summarise the ticket.", "input": "Customer cannot log in since Monday.", "output": "Login failure since Monday."}""",
            InputFormat.AUTO);
    assertThat(body.format()).isEqualTo(InputFormat.ALPACA);
    assertThat(body.pair().getPrompt())
        .isEqualTo("Summarise the ticket.\n\nCustomer cannot log in since Monday.");
    assertThat(body.pair().getResponse()).isEqualTo("Login failure since Monday.");
  }

  @Test
  void alpacaWithEmptyInputUsesTheInstructionAlone() {
    ParsedBody body =
        parser.parse(
            "{\"instruction\": \"Name a colour.\", \"input\": \"\", \"output\": \"Blue.\"}",
            InputFormat.ALPACA);
    assertThat(body.pair().getPrompt()).isEqualTo("Name a colour.");
  }

  @Test
  void shareGptMapsHumanAndGptToUserAndAssistant() {
    ParsedBody body =
        parser.parse(
            """
        {"conversations": [{"from": "system", "value": "You are support."},
                           {"from": "human", "value": "Where is my order?"},
                           {"from": "gpt", "value": "It ships tomorrow."}]}""",
            InputFormat.AUTO);
    assertThat(body.format()).isEqualTo(InputFormat.SHAREGPT);
    assertThat(body.conversation().getMessagesList())
        .extracting(ChatMessage::getRole)
        .containsExactly(Role.ROLE_SYSTEM, Role.ROLE_USER, Role.ROLE_ASSISTANT);
    assertThat(body.conversation().getMessages(2).getContent()).isEqualTo("It ships tomorrow.");
  }

  @Test
  void openAiAcceptsStringAndTextPartContent() {
    ParsedBody body =
        parser.parse(
            """
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
                      {"role": "assistant", "content": "Hello! How can I help?"}]}""",
            InputFormat.AUTO);
    assertThat(body.format()).isEqualTo(InputFormat.OPENAI);
    assertThat(body.conversation().getMessages(0).getContent()).isEqualTo("Hi there");
    assertThat(body.conversation().getMessages(1).getRole()).isEqualTo(Role.ROLE_ASSISTANT);
  }

  @Test
  void openAiToolTurnIsRefusedByName() {
    assertThatThrownBy(
            () ->
                parser.parse(
                    "{\"messages\": [{\"role\": \"tool\", \"content\": \"42\"}]}",
                    InputFormat.OPENAI))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("messages[0].role is 'tool'");
  }

  @Test
  void delimitedTextSplitsOnHashHeaders() {
    String text =
        "### Instruction ###\\nTranslate to French.\\n### Input ###\\nGood morning\\n### Response ###\\nBonjour";
    ParsedBody body = parser.parse("{\"text\": \"" + text + "\"}", InputFormat.AUTO);
    assertThat(body.format()).isEqualTo(InputFormat.DELIMITED);
    assertThat(body.pair().getPrompt()).isEqualTo("Translate to French.\n\nGood morning");
    assertThat(body.pair().getResponse()).isEqualTo("Bonjour");
  }

  @Test
  void delimitedTextAcceptsColonHeaders() {
    String text = "### System:\\nBe terse.\\n### Instruction:\\nAdd 2 and 2.\\n### Response:\\n4";
    ParsedBody body = parser.parse("{\"text\": \"" + text + "\"}", InputFormat.DELIMITED);
    assertThat(body.pair().getSystem()).isEqualTo("Be terse.");
    assertThat(body.pair().getResponse()).isEqualTo("4");
  }

  @Test
  void delimitedTextWithoutResponseNamesTheMissingSection() {
    assertThatThrownBy(
            () ->
                parser.parse("{\"text\": \"### Instruction ###\\nDo it\"}", InputFormat.DELIMITED))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("'### Response ###'")
        .hasMessageContaining("[instruction]");
  }

  @Test
  void unknownShapeListsItsKeysAndTheKnownFormats() {
    assertThatThrownBy(
            () -> parser.parse("{\"question\": \"q\", \"answer\": \"a\"}", InputFormat.AUTO))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("[question, answer]")
        .hasMessageContaining("{instruction, input?, output}");
  }

  @Test
  void missingFieldIsNamedWithItsFormat() {
    assertThatThrownBy(() -> parser.parse("{\"prompt\": \"q\"}", InputFormat.PAIR))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("pair record has no 'response' field");
  }

  @Test
  void wrongFieldTypeIsNamed() {
    assertThatThrownBy(() -> parser.parse("{\"prompt\": \"q\", \"response\": 7}", InputFormat.AUTO))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("pair field 'response' must be a string, got NUMBER");
  }

  @Test
  void brokenJsonReportsWhere() {
    assertThatThrownBy(() -> parser.parse("{\"prompt\": \"q\",", InputFormat.AUTO))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("not valid JSON")
        .hasMessageContaining("line 1");
  }

  @Test
  void unknownFormatNameListsTheKnownOnes() {
    assertThatThrownBy(() -> InputFormat.parse("csv"))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("unknown format 'csv'")
        .hasMessageContaining("alpaca");
  }
}
