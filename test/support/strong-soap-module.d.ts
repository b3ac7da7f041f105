/** The part of strong-soap (which ships no types) the interoperability test uses. */
declare module 'strong-soap' {
  export interface SoapClient {
    setSecurity(security: unknown): void;
    lastRequest?: string;
    lastResponse?: string;
    describe(): Record<string, unknown>;
    wsdl: { definitions: WsdlDefinitions };
    xmlHandler: { xmlToJson(nsContext: null, xml: string, descriptor: unknown): { Body: Record<string, unknown> } };
    [operation: string]: unknown;
  }
  export interface WsdlDefinitions {
    bindings: Partial<Record<string, { operations: Partial<Record<string, { describe(definitions: WsdlDefinitions): { outputEnvelope: unknown } }>> }>>;
  }
  export type SoapCallback = (err: (Error & { root?: unknown }) | null, result: unknown, envelope?: unknown) => void;
  export const soap: {
    createClient(url: string, options: Record<string, unknown>, callback: (err: Error | null, client: SoapClient) => void): void;
    ClientSSLSecurity: new (key: Buffer, cert: Buffer, ca?: Buffer) => unknown;
  };
}
