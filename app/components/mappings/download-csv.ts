/** Downloads the mappings export as brilliant-mappings.csv. */
export async function downloadMappingsCsv(): Promise<void> {
  // App Bridge adds the session token to fetch; a plain link would not carry it.
  const response = await fetch("/app/mappings/export");
  if (!response.ok) throw new Error(`Export failed (HTTP ${response.status})`);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "brilliant-mappings.csv";
  link.click();
  URL.revokeObjectURL(link.href);
}
