// A success after 1.5 s, over the 1 s latency threshold the test gives Next.js (the other
// apps: 0.7 s over 500ms). Next.js spends ~6 ms of CPU on a request, four times express, so
// on a loaded 2-core machine its fast requests can near 0.5 s in the server.
export const dynamic = "force-dynamic";

export async function GET() {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return new Response("slow");
}
