package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.SubmitError;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.servicekit.auth.Caller;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /v1/datasets/{dataset}/examples:upload} over real HTTP with the gateway's normal
 * limits, against a counting ingest double on a real gRPC server (behind the services' auth
 * interceptor, with ingest's manual flow control). The double counts records and keeps none, so the
 * heap measured is the gateway's.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonLinesUploadTest implements TestPropertyProvider {
  private static final String ACME = "sk-acme";
  static final int LINE_BYTES = 1024;

  @Inject EmbeddedServer server;
  @Inject MeterRegistry meters;

  private CountingIngest ingest;
  private Server grpc;

  @Override
  public Map<String, String> getProperties() {
    ingest = new CountingIngest();
    try {
      grpc =
          Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
              .addService(ingest)
              .intercept(TestCredentials.interceptor())
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String target = "localhost:" + grpc.getPort();
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.gateway.upstreams.ingest", target,
            "tuneloop.gateway.upstreams.curation", target,
            "tuneloop.gateway.upstreams.trainer", target,
            "tuneloop.gateway.upstreams.inference", target,
            "tuneloop.gateway.auth.api-keys", ACME + ":acme",
            "micronaut.server.port", "-1",
            "grpc.server.port", "${random.port}"));
  }

  @AfterAll
  void stop() {
    grpc.shutdownNow();
  }

  @BeforeEach
  void reset() {
    ingest.reset();
  }

  @Test
  void a100MegabyteUploadIsStreamedCountingEveryLineWithoutHoldingTheBody() throws Exception {
    // Before, /examples read the body as a String and refused anything over 4 MiB with 413, and
    // this route did not exist (404). The body is generated as it is sent, never held whole.
    long lines = 100L * 1024 * 1024 / LINE_BYTES;
    long baseline = heapUsedAfterGc();
    long peakHeap = 0;
    String answer;
    URL url = server.getURL();
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ascii(
              "POST /v1/datasets/support/examples:upload HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + ACME
                  + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"));
      StringBuilder chunk = new StringBuilder();
      for (long i = 0; i < lines; i++) {
        chunk.append(line(i));
        if (chunk.length() >= 64 * 1024 || i == lines - 1) {
          out.write(ascii(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"));
          chunk.setLength(0);
        }
        if (i % (10 * 1024) == 0) { // every 10 MB: what the gateway holds mid-upload
          peakHeap = Math.max(peakHeap, heapUsedAfterGc() - baseline);
        }
      }
      out.write(ascii("0\r\n\r\n"));
      out.flush();
      answer = readResponse(socket.getInputStream());
    }
    peakHeap = Math.max(peakHeap, heapUsedAfterGc() - baseline);

    System.out.println("JsonLinesUploadTest: heap growth during a 100 MB upload " + peakHeap);
    assertThat(answer).startsWith("HTTP/1.1 200");
    JsonNode summary = GatewayHttp.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n")));
    assertThat(summary.at("/received").asLong()).isEqualTo(lines);
    assertThat(summary.at("/accepted").asLong()).isEqualTo(lines);
    assertThat(summary.at("/errors")).isEmpty();
    assertThat(ingest.records.get()).isEqualTo(lines);
    assertThat(ingest.lastJson.get()).isEqualTo(line(lines - 1).strip());
    assertThat(ingest.tenants).containsOnly("acme");
    // 100 MB went through; the heap grew by a small fraction of it (reading the body whole: ~90
    // MB).
    assertThat(peakHeap).as("heap growth during the upload").isLessThan(24L * 1024 * 1024);
  }

  @Test
  void theBodyIsReadOnlyAsFastAsIngestTakesRecords() throws Exception {
    // Ingest takes its window of 16 records and then stalls (as when Kafka is slow). The gateway
    // must stop reading the body and wait, not read on into memory: a gateway that sent without
    // asking isReady() would never wait, and would have sent the whole body.
    ingest.hold();
    long lines = 16L * 1024 * 1024 / LINE_BYTES;
    double sentBefore = linesSent();
    CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> sendChunked(lines));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> waiting() == 1);
      long sentWhileStalled = (long) (linesSent() - sentBefore);
      // What is in flight: ingest's window, gRPC's HTTP/2 window (1 MiB) and its 32 KiB buffer.
      assertThat(sentWhileStalled).isLessThan(lines / 4);
      assertThat(answer).isNotDone();
    } finally {
      ingest.release();
    }
    String response = answer.get(120, TimeUnit.SECONDS);

    assertThat(response).startsWith("HTTP/1.1 200");
    JsonNode summary = GatewayHttp.JSON.readTree(response.substring(response.indexOf("\r\n\r\n")));
    assertThat(summary.at("/received").asLong()).isEqualTo(lines);
    assertThat(ingest.records.get()).isEqualTo(lines);
    assertThat(waiting()).isZero();
  }

  /** The controller, and so its meters, comes with the first request. */
  private double linesSent() {
    var counter = meters.find("tuneloop.gateway.upload.lines").counter();
    return counter == null ? 0 : counter.count();
  }

  private double waiting() {
    var gauge = meters.find("tuneloop.gateway.upload.waiting").gauge();
    return gauge == null ? 0 : gauge.value();
  }

  /** Sends {@code lines} generated lines chunked over a raw connection; the response. */
  private String sendChunked(long lines) {
    URL url = server.getURL();
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ascii(
              "POST /v1/datasets/support/examples:upload HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + ACME
                  + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"));
      StringBuilder chunk = new StringBuilder();
      for (long i = 0; i < lines; i++) {
        chunk.append(line(i));
        if (chunk.length() >= 64 * 1024 || i == lines - 1) {
          out.write(ascii(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"));
          chunk.setLength(0);
        }
      }
      out.write(ascii("0\r\n\r\n"));
      out.flush();
      return readResponse(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aBadLineOrOneTooLongForARecordFailsAloneNamingItsLineNumber() throws Exception {
    String tooLong = "{\"prompt\": \"" + "p".repeat(5_000_000) + "\", \"response\": \"r\"}";
    String body =
        "{\"prompt\": \"a\", \"response\": \"1\"}\r\n" // 1: fine, CRLF
            + "not json\n" // 2: ingest refuses it
            + tooLong
            + "\n" // 3: over one gRPC message: the gateway keeps it back
            + "\n" // 4: blank
            + "{\"instruction\": \"b\", \"output\": \"2\"}"; // 5: fine, no final newline

    HttpResponse<String> response = upload("/v1/datasets/support/examples:upload", body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode summary = json(response);
    assertThat(summary.at("/received").asLong()).isEqualTo(5);
    assertThat(summary.at("/accepted").asLong()).isEqualTo(2);
    assertThat(summary.at("/failed").asLong()).isEqualTo(3);
    List<String> errors = new ArrayList<>();
    summary
        .at("/errors")
        .forEach(e -> errors.add(e.get("index").asText() + " " + e.get("message").asText()));
    assertThat(errors)
        .hasSize(3)
        .satisfiesExactly(
            e -> assertThat(e).startsWith("1 line 2: json record must be an object"),
            e ->
                assertThat(e)
                    .startsWith("2 line 3: the line is " + (tooLong.length()) + " bytes")
                    .contains("ingest.max-payload-bytes"),
            e -> assertThat(e).startsWith("3 line 4: json record is empty"));
    assertThat(ingest.records.get()).isEqualTo(4); // every line but the one too long to send
    assertThat(ingest.lastJson.get()).isEqualTo("{\"instruction\": \"b\", \"output\": \"2\"}");
  }

  @Test
  void anEmptyUploadOrABadDatasetIs400AndReachesNoUpstream() throws Exception {
    HttpResponse<String> empty = upload("/v1/datasets/support/examples:upload", "");
    HttpResponse<String> badName =
        upload("/v1/datasets/" + "d".repeat(65) + "/examples:upload", "{}\n");
    HttpResponse<String> noKey =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.getURL() + "/v1/datasets/support/examples:upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}\n"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(empty.statusCode()).as(empty.body()).isEqualTo(400);
    assertThat(json(empty).at("/error/message").asText()).contains("empty");
    assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
    assertThat(json(badName).at("/error/param").asText()).isEqualTo("dataset");
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(ingest.records.get()).isZero();
  }

  @Test
  void theJsonEndpointStillReadsItsBodyWholeAndStopsAtFourMebibytes() throws Exception {
    // The upload limit is 1 GiB now; a body read whole is still held to 4 MiB.
    String big = "{\"prompt\": \"" + "p".repeat(5_000_000) + "\", \"response\": \"r\"}";
    HttpResponse<String> response = upload("/v1/datasets/support/examples", big);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
    assertThat(json(response).at("/error/message").asText())
        .contains("4194304")
        .contains("micronaut.server.max-request-buffer-size")
        .contains("examples:upload");
    assertThat(ingest.records.get()).isZero();
  }

  private HttpResponse<String> upload(String path, String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(server.getURL() + path))
                .header("Authorization", "Bearer " + ACME)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** Line {@code i}: a pair of exactly {@link #LINE_BYTES} bytes with its newline. */
  static String line(long i) {
    String head = "{\"prompt\": \"question " + i + " ";
    String tail = "\", \"response\": \"answer " + i + "\"}\n";
    return head + "x".repeat(LINE_BYTES - head.length() - tail.length()) + tail;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static long heapUsedAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Status line, headers and the Content-Length body of one HTTP/1.1 response. */
  static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
    int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
    return head + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
  }

  /**
   * Ingest's SubmitStream contract with its manual flow control (a window of 16 records), judging
   * each record as ingest's parser would at its first step (empty, or not an object), and keeping
   * only counts and the last record.
   */
  static final class CountingIngest extends IngestServiceGrpc.IngestServiceImplBase {
    final AtomicLong records = new AtomicLong();
    final AtomicReference<String> lastJson = new AtomicReference<>();
    final List<String> tenants = new CopyOnWriteArrayList<>();

    /** While held, records are taken but no more are asked for: ingest with Kafka stalled. */
    private boolean holding;

    private int owed;
    private ServerCallStreamObserver<SubmitSummary> heldCall;

    void reset() {
      records.set(0);
      lastJson.set(null);
      tenants.clear();
    }

    synchronized void hold() {
      holding = true;
    }

    synchronized void release() {
      holding = false;
      if (heldCall != null && owed > 0) {
        heldCall.request(owed);
      }
      owed = 0;
    }

    private synchronized void askForOneMore(ServerCallStreamObserver<SubmitSummary> call) {
      if (holding) {
        heldCall = call;
        owed++;
      } else {
        call.request(1);
      }
    }

    @Override
    public StreamObserver<SubmitRequest> submitStream(StreamObserver<SubmitSummary> response) {
      var call = (ServerCallStreamObserver<SubmitSummary>) response;
      String tenant = Caller.current().tenant();
      if (!tenants.contains(tenant)) {
        tenants.add(tenant);
      }
      call.disableAutoRequest();
      call.request(16);
      return new StreamObserver<>() {
        private long index;
        private final SubmitSummary.Builder summary = SubmitSummary.newBuilder();

        @Override
        public void onNext(SubmitRequest request) {
          records.incrementAndGet();
          lastJson.set(request.getJson());
          String json = request.getJson().strip();
          String problem =
              json.isEmpty()
                  ? "json record is empty"
                  : json.startsWith("{") ? null : "json record must be an object";
          if (problem == null && request.getDataset().equals("support")) {
            summary.setAccepted(summary.getAccepted() + 1);
          } else {
            summary.setFailed(summary.getFailed() + 1);
            summary.addErrors(
                SubmitError.newBuilder()
                    .setIndex(index)
                    .setMessage(problem == null ? "wrong dataset" : problem));
          }
          index++;
          askForOneMore(call);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          call.onNext(summary.setReceived(index).build());
          call.onCompleted();
        }
      };
    }
  }
}
