import { Component, type ReactNode } from "react";
import { ErrorPane } from "./ErrorPane.js";

interface Props { children: ReactNode; title: string; onBack(): void; onQuit(): void }
interface State { error: Error | null }

/**
 * Keeps a failure inside one screen: it shows as a message there instead of ending the program.
 *
 * @example <ErrorBoundary title="Replay" onBack={back} onQuit={quit}><ReplayPane ... /></ErrorBoundary>
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    const code = (error as { code?: string }).code ?? "ERR_INTERNAL";
    const text = code === "ERR_INTERNAL" ? `This screen failed (${error.message}); this is a bug, please report it.` : error.message;
    return <ErrorPane title={this.props.title} message={text} code={code} onBack={() => { this.setState({ error: null }); this.props.onBack(); }} onQuit={this.props.onQuit} />;
  }
}
