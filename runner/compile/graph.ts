/**
 * The compiled graph as @dataform/core returns it, validated with zod: the parts the runner uses,
 * everything else passed through. One schema is the source of truth for the type.
 */
import { z } from "zod";

export const TargetSchema = z.object({
  database: z.string().optional(),
  schema: z.string().min(1),
  name: z.string().min(1),
});
export type Target = z.infer<typeof TargetSchema>;

const ColumnDescriptorSchema = z.object({
  path: z.array(z.string()),
  description: z.string().optional(),
});

const ActionDescriptorSchema = z
  .object({
    description: z.string().optional(),
    columns: z.array(ColumnDescriptorSchema).default([]),
  })
  .optional();

const common = {
  target: TargetSchema,
  fileName: z.string(),
  dependencyTargets: z.array(TargetSchema).default([]),
  tags: z.array(z.string()).default([]),
  disabled: z.boolean().default(false),
  actionDescriptor: ActionDescriptorSchema,
};

export const TableSchema = z
  .object({
    ...common,
    type: z.enum(["table", "view", "incremental"]),
    query: z.string(),
    incrementalQuery: z.string().optional(),
    preOps: z.array(z.string()).default([]),
    postOps: z.array(z.string()).default([]),
    incrementalPreOps: z.array(z.string()).default([]),
    incrementalPostOps: z.array(z.string()).default([]),
    uniqueKey: z.array(z.string()).default([]),
    bigquery: z
      .object({
        partitionBy: z.string().optional(),
        clusterBy: z.array(z.string()).default([]),
        requirePartitionFilter: z.boolean().optional(),
      })
      .optional(),
  })
  .loose();

export const AssertionSchema = z
  .object({
    ...common,
    query: z.string(),
    parentAction: TargetSchema.optional(),
  })
  .loose();

export const OperationSchema = z
  .object({
    ...common,
    queries: z.array(z.string()).default([]),
  })
  .loose();

export const DeclarationSchema = z
  .object({
    target: TargetSchema,
    fileName: z.string().optional(),
    actionDescriptor: ActionDescriptorSchema,
  })
  .loose();

export const CompilationErrorSchema = z.object({
  fileName: z.string().optional(),
  message: z.string().default(""),
  stack: z.string().optional(),
});
export type CompilationErrorDetail = z.infer<typeof CompilationErrorSchema>;

export const CompiledGraphSchema = z
  .object({
    projectConfig: z
      .object({
        defaultDatabase: z.string().optional(),
        defaultSchema: z.string(),
        assertionSchema: z.string().optional(),
        defaultLocation: z.string().optional(),
        vars: z.record(z.string(), z.string()).default({}),
      })
      .loose(),
    tables: z.array(TableSchema).default([]),
    assertions: z.array(AssertionSchema).default([]),
    operations: z.array(OperationSchema).default([]),
    declarations: z.array(DeclarationSchema).default([]),
    graphErrors: z
      .object({ compilationErrors: z.array(CompilationErrorSchema).default([]) })
      .loose()
      .default({ compilationErrors: [] }),
    dataformCoreVersion: z.string().optional(),
  })
  .loose();

export type CompiledGraph = z.infer<typeof CompiledGraphSchema>;

/** "schema.name", how the runner and the logs name a relation (the database is the project's). */
export function targetId(target: Target): string {
  return `${target.schema}.${target.name}`;
}
