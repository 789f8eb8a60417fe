// A raised error: Next.js answers it with 500.
export const dynamic = "force-dynamic";

export function GET() {
  throw new Error("boom");
}
