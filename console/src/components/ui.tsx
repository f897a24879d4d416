// Small building blocks every page uses: labelled fields, buttons, and the loading, empty and error
// states (errors show the API's message and suggestion).
import type { ReactNode } from 'react';
import { Button as AriaButton, Input, Label, Text, TextArea, TextField, type ButtonProps } from 'react-aria-components';
import { ApiProblem } from '../api/problem';

export function Button(props: ButtonProps & { variant?: 'primary' | 'danger' | 'plain' }) {
  const { variant = 'plain', ...rest } = props;
  return <AriaButton {...rest} className={`button button-${variant}`} />;
}

interface FieldProps {
  label: string;
  name: string;
  type?: string;
  description?: string;
  value: string;
  onChange(value: string): void;
  isRequired?: boolean;
  multiline?: boolean;
  autoComplete?: string;
  readOnly?: boolean;
}

export function Field(props: FieldProps) {
  return (
    <TextField
      className="field"
      name={props.name}
      type={props.type ?? 'text'}
      value={props.value}
      onChange={props.onChange}
      isRequired={props.isRequired ?? false}
      isReadOnly={props.readOnly ?? false}
      {...(props.autoComplete ? { autoComplete: props.autoComplete } : {})}
    >
      <Label>{props.label}</Label>
      {props.multiline ? <TextArea rows={2} /> : <Input />}
      {props.description ? <Text slot="description">{props.description}</Text> : null}
    </TextField>
  );
}

export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiProblem ? error : null;
  const message = problem?.message ?? (error instanceof Error ? error.message : String(error));
  return (
    <div className="problem" role="alert">
      <p className="problem-message">{message}</p>
      {problem?.suggestion ? <p className="problem-suggestion">{problem.suggestion}</p> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Lines or commas in a text box, as a list (allowed origins, IPs, scopes, models). */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A table's column headings (each `scope="col"`; rows label their cells with the same words). */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}
