import type { ColumnType, Generated } from 'kysely';
import type { DateString } from '../../db/platform.tables.ts';

/** Money as numeric(12,2): read as a number (see open.ts), written as a number or a decimal string. */
type Money = ColumnType<number, number | string, number | string>;

export interface FundingAllocationsTable {
  id: Generated<number>;
  region_code: string;
  amount: Money;
  allocated_on: DateString;
  received_on: DateString | null;
  reference: string | null;
  created_at: Generated<Date>;
}

export interface FundingSpendTable {
  id: Generated<number>;
  region_code: string;
  spent_on: DateString;
  amount: Money;
  description: string;
  created_at: Generated<Date>;
}

export interface ReadinessItemsTable {
  key: string;
  label: string;
  sort_order: number;
  created_at: Generated<Date>;
}

export interface RegionReadinessTable {
  region_code: string;
  item_key: string;
  completed_on: DateString;
  note: string | null;
}

export interface ContractLinesTable {
  region_code: string;
  kind: string;
  promised: Generated<number>;
  delivered: Generated<number>;
}

/**
 * Table types of the programme module; gathered into the Database type in src/db/database.ts.
 * The programme migration also adds columns to network_regions (declared at the end of this file).
 */
export interface ProgrammeTables {
  funding_allocations: FundingAllocationsTable;
  funding_spend: FundingSpendTable;
  readiness_items: ReadinessItemsTable;
  region_readiness: RegionReadinessTable;
  contract_lines: ContractLinesTable;
}

/** Columns the programme migration adds to the platform's network_regions table. */
declare module '../../db/platform.tables.ts' {
  interface NetworkRegionsTable {
    first_event_target: DateString | null;
    go_live_target: DateString | null;
    first_event_actual: DateString | null;
    go_live_actual: DateString | null;
    lead_facilitator_user_id: number | null;
    senior_manager_name: string | null;
    senior_manager_email: string | null;
    updated_at: Generated<Date>;
  }
}
