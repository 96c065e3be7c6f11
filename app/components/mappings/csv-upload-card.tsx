import { BlockStack, Card, DropZone, Text } from "@shopify/polaris";
import { useState } from "react";

/** Where the merchant chooses or drops the CSV; its text goes to onText once read. */
export function CsvUploadCard({ onText }: { onText: (text: string) => void }) {
  const [fileName, setFileName] = useState<string | null>(null);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="p">
          A CSV with the header <code>shopify_variant_id,sku,brilliant_variant_id</code>, as the export gives
          it. Its <code>not_shipped_by_brilliant</code> column says <code>yes</code> for a variant Brilliant
          never ships. You see what it would change before anything is saved.
        </Text>
        <DropZone
          accept=".csv,text/csv"
          type="file"
          allowMultiple={false}
          onDrop={(files) => {
            const chosen = files[0];
            if (!chosen) return;
            setFileName(chosen.name);
            void chosen.text().then(onText);
          }}
        >
          {fileName ? (
            <div style={{ padding: "var(--p-space-400)" }}>
              <Text as="p">{fileName}</Text>
            </div>
          ) : (
            <DropZone.FileUpload actionTitle="Choose CSV file" actionHint="or drop it here" />
          )}
        </DropZone>
      </BlockStack>
    </Card>
  );
}
