// A returned server error.
export const dynamic = "force-dynamic";

export function GET() {
  return new Response("failed", { status: 500 });
}
