package dev.tuneloop.curation.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs a labelled set of examples through {@link DatasetCurator} and measures, per split (dev,
 * heldout) and per labelled reason, the recall (bad rows rejected for their reason) and the false
 * rejection of good rows. One fresh curator per split, rows in file order, so a near duplicate
 * meets its original as it would in a stream. Used by CurationEvalTest (which asserts targets) and
 * by bench/run curation-eval (which prints the table).
 */
public final class CurationEvaluation {

  /** One labelled row: label "good" or a {@link RejectReason} name. */
  public record Row(String id, String split, String label, String kind, Example example) {}

  /** Counts for one split and label. */
  public record Cell(int rows, int caught, List<String> missed) {
    public double rate() {
      return rows == 0 ? 0 : caught / (double) rows;
    }
  }

  /**
   * @param cells split -> label -> counts; for "good", caught counts wrongly rejected rows
   * @param nanosPerExample mean time {@link DatasetCurator#decide} took per row
   */
  public record Report(Map<String, Map<String, Cell>> cells, double nanosPerExample) {

    public Cell cell(String split, String label) {
      return cells.getOrDefault(split, Map.of()).getOrDefault(label, new Cell(0, 0, List.of()));
    }

    /**
     * A Markdown table: one row per reason, recall (or false rejection for good rows) per split.
     */
    public String table() {
      StringBuilder out = new StringBuilder();
      List<String> splits = List.copyOf(cells.keySet());
      out.append("| reason |");
      splits.forEach(s -> out.append(" ").append(s).append(" |"));
      out.append("\n| --- |");
      splits.forEach(s -> out.append(" --- |"));
      out.append("\n");
      Set<String> labels = new java.util.TreeSet<>();
      cells.values().forEach(m -> labels.addAll(m.keySet()));
      for (String label : labels) {
        boolean good = label.equals("good");
        out.append("| ").append(good ? "good (false rejection)" : label + " (recall)").append(" |");
        for (String s : splits) {
          Cell c = cell(s, label);
          out.append(String.format(Locale.ROOT, " %.3f (%d/%d) |", c.rate(), c.caught(), c.rows()));
        }
        out.append("\n");
      }
      return out.toString();
    }
  }

  private CurationEvaluation() {}

  /** Reads the JSONL rows: id, split, label, kind, prompt, response. */
  public static List<Row> read(Path jsonl) {
    ObjectMapper json = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(jsonl)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        Example example =
            Example.newBuilder()
                .setId(n.path("id").asText())
                .setTenant("eval")
                .setDataset(n.path("split").asText())
                .setFormat("pair")
                .setPair(
                    PromptResponse.newBuilder()
                        .setPrompt(n.path("prompt").asText())
                        .setResponse(n.path("response").asText()))
                .build();
        rows.add(
            new Row(
                n.path("id").asText(),
                n.path("split").asText(),
                n.path("label").asText(),
                n.path("kind").asText(),
                example));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the evaluation set " + jsonl, e);
    }
    return rows;
  }

  public static Report run(List<Row> rows, CurationPolicy policy, TemplateProfile template) {
    Map<String, List<Row>> bySplit = new LinkedHashMap<>();
    rows.forEach(r -> bySplit.computeIfAbsent(r.split(), s -> new ArrayList<>()).add(r));
    Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();
    long nanos = 0;
    for (Map.Entry<String, List<Row>> split : bySplit.entrySet()) {
      DatasetCurator curator = new DatasetCurator(policy, template, Clock.systemUTC());
      Map<String, int[]> counts = new TreeMap<>();
      Map<String, List<String>> missed = new TreeMap<>();
      for (Row row : split.getValue()) {
        long start = System.nanoTime();
        Decision d = curator.decide(row.example());
        nanos += System.nanoTime() - start;
        int[] c = counts.computeIfAbsent(row.label(), l -> new int[2]);
        c[0]++;
        List<Rejection> why = d instanceof Decision.Rejected r ? r.rejections() : List.of();
        boolean counted =
            row.label().equals("good")
                ? !why.isEmpty()
                : why.stream().anyMatch(r -> matches(row.label(), r.reason()));
        if (counted) {
          c[1]++;
        }
        boolean wrong = row.label().equals("good") == counted;
        if (wrong) {
          missed
              .computeIfAbsent(row.label(), l -> new ArrayList<>())
              .add(row.id() + " (" + row.kind() + ")" + (why.isEmpty() ? "" : " " + why));
        }
      }
      Map<String, Cell> splitCells = new TreeMap<>();
      counts.forEach(
          (label, c) ->
              splitCells.put(label, new Cell(c[0], c[1], missed.getOrDefault(label, List.of()))));
      cells.put(split.getKey(), splitCells);
    }
    return new Report(cells, nanos / (double) rows.size());
  }

  /** A near duplicate that folds to exactly the same content counts as caught as well. */
  private static boolean matches(String label, RejectReason reason) {
    return label.equals(reason.name())
        || (label.equals("NEAR_DUPLICATE") && reason == RejectReason.EXACT_DUPLICATE);
  }
}
